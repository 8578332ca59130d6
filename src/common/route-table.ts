/**
 * The registered routes by method, so that a path that exists for other methods answers 405
 * instead of 404 (README "Transport").
 */
export class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(method: string | string[], url: string): void {
    const source = url
      .replace(/\/+$/, '')
      .split('/')
      .map((seg) =>
        seg.startsWith(':')
          ? '[^/]+'
          : seg === '*'
            ? '.*'
            : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const m of Array.isArray(method) ? method : [method])
      this.routes.push({ method: m, pattern });
  }

  /** Methods routed for this path (query string ignored). */
  methodsFor(url: string): string[] {
    const path = url.split('?')[0];
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  }
}

/** One table per HTTP server instance (tests start several apps in one process). */
export const ROUTE_TABLES = new WeakMap<object, RouteTable>();
