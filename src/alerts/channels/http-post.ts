/** One HTTP POST with a deadline; anything but 2xx is an error naming the status (never the body's secrets). */
export async function httpPost(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new Error(`no answer within ${timeoutMs} ms`);
    throw new Error(e.cause?.code ?? e.cause?.message ?? e.message);
  }
  // The body is read (and so the connection released) but only a short excerpt is kept.
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) {
    const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 120);
    throw new Error(`HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`);
  }
}
