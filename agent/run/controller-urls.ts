/**
 * Which controller URL the next connection attempt dials: the primary first, and after a failed
 * attempt the next of the standbys, round and round. A link that was made and later dropped is
 * dialled again at the same URL first (a controller restart is the common case); only a failed
 * attempt moves on.
 */
export class ControllerUrls {
  private readonly urls: readonly string[];
  private at = 0;

  constructor(primary: string, standbys: readonly string[] = []) {
    this.urls = [primary, ...standbys.filter((u) => u !== primary)];
  }

  next(): string {
    return this.urls[this.at] as string;
  }

  failed(): void {
    this.at = (this.at + 1) % this.urls.length;
  }

  get count(): number {
    return this.urls.length;
  }
}
