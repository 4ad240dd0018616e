"""VAPID keys of Web Push: from WALKIN_VAPID_PRIVATE_KEY (PEM), else generated once into the
data directory beside the secret key, so that browsers' subscriptions survive a restart."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_FILE = "vapid_private.pem"


@dataclass(frozen=True)
class WebPushKeys:
    private_pem: str
    public_key: str  # base64url uncompressed point: the page's applicationServerKey
    subject: str

    @classmethod
    def load(cls, data_dir: Path | None, *, create: bool = False) -> WebPushKeys | None:
        subject = os.environ.get("WALKIN_VAPID_SUBJECT", "mailto:admin@localhost")
        pem = os.environ.get("WALKIN_VAPID_PRIVATE_KEY")
        path = data_dir / KEY_FILE if data_dir is not None else None
        if pem is None and path is not None and path.exists():
            pem = path.read_text()
        if pem is None:
            if not create:
                return None
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            if path is not None:  # else (an app in a test) the key lives as long as the app
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as out:
                    out.write(pem)
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise ValueError("the VAPID key must be an EC P-256 key")
        point = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        public = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
        return cls(pem, public, subject)
