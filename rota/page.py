from litestar import get


@get("/rota", include_in_schema=False)
async def rota_page() -> str:
    return "todo"
