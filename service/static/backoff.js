// When to try a lost connection again. Pure (no DOM): tests run it under node too.
//
// Exponential backoff with *full* jitter: the delay is drawn uniformly below the exponential
// ceiling, so the pages of a replica that died spread over the whole window instead of all
// arriving at the next replica in the same instant.

/**
 * @param {number} attempt failed attempts so far (0 for the first retry)
 * @param {{baseMs?: number, capMs?: number}} [limits]
 * @param {() => number} [random] uniform in [0, 1)
 * @returns {number} milliseconds to wait, in [0, min(capMs, baseMs * 2^attempt))
 */
export function backoffDelay(attempt, { baseMs = 1000, capMs = 30000 } = {}, random = Math.random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(random() * ceiling);
}
