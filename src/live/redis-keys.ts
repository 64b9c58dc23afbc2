/** Where live state lives in Redis, all under one prefix so several deployments can share a server. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** A record's hash; `id` is the record id (`active`, `region:<name>`, `sim:<region>`). */
  record(id: string): string {
    return `${this.prefix}${id}`;
  }
  /** Set of every record id, so a resync can pull records this instance has never seen. */
  get index(): string {
    return `${this.prefix}index`;
  }
  get counters(): string {
    return `${this.prefix}counters`;
  }
  get counterVersions(): string {
    return `${this.prefix}counters:version`;
  }
  /** Hash of every instance's health view: field `<region> <instance>`, value JSON with its expiry. */
  get healthViews(): string {
    return `${this.prefix}health-views`;
  }
  get channel(): string {
    return `${this.prefix}changes`;
  }
  leader(name: string): string {
    return `${this.prefix}leader:${name}`;
  }
}
