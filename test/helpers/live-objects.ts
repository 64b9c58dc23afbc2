/**
 * How many objects whose prototype is `proto` are alive in this process, by the inspector's
 * Runtime.queryObjects: V8 collects garbage before it counts, so what it finds is what something still
 * holds. For tests of what geored keeps, not of how much memory it uses.
 */
import { Session } from 'node:inspector';

export async function liveObjects(proto: object): Promise<number> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))),
    );
  const key = `__liveObjectsProbe${process.pid}`;
  (globalThis as Record<string, unknown>)[key] = proto;
  try {
    await post('Runtime.enable');
    const p = await post<{ result: { objectId: string } }>('Runtime.evaluate', {
      expression: `globalThis.${key}`,
    });
    const found = await post<{ objects: { objectId: string } }>('Runtime.queryObjects', {
      prototypeObjectId: p.result.objectId,
    });
    const n = await post<{ result: { value: number } }>('Runtime.callFunctionOn', {
      objectId: found.objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    return n.result.value;
  } finally {
    delete (globalThis as Record<string, unknown>)[key];
    session.disconnect();
  }
}
