/**
 * The process's one Powertools Tracer. It switches itself off outside Lambda (no AWS_EXECUTION_ENV),
 * and POWERTOOLS_TRACE_ENABLED=false switches it off anywhere. Outgoing HTTP(S) other than the SDK's
 * is not traced (POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS): the SDK clients are captured one by one
 * (shared/clients.ts), which names each subsegment by service and operation.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alliance',
  captureHTTPsRequests: false,
});
