import type { ServerResponse } from 'node:http';
import { CheckQuerySchema } from '../../shared/protocol/ctl-check.js';
import type { ControllerCore } from '../core/controller-core.js';
import { metricFamilies } from './metric-families.js';
import { processSample } from './process-sample.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheusText } from './prometheus-text.js';
import { repeatedParam } from './query-once.js';
import { sendError, sendJson } from './respond.js';

/** GET /v1/check?...: the monitoring verdict for the thresholds asked (defaults for those left out). */
export function checkRoute(core: ControllerCore, url: URL, res: ServerResponse): void {
  const twice = repeatedParam(url.searchParams);
  if (twice !== null) return sendError(res, twice);
  const q = CheckQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) return sendError(res, { code: 'XH_ERR_USAGE', message: `bad check thresholds: ${q.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}` });
  sendJson(res, 200, core.monitor.check(q.data));
}

/** GET /metrics: the Prometheus text exposition of the controller and its fleet. */
export function metricsRoute(core: ControllerCore, res: ServerResponse): void {
  const text = renderPrometheusText(metricFamilies(core.monitor.metrics(), processSample()));
  res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
