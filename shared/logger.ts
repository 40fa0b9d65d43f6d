import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs. Never log names, addresses or tokens: ids are enough to follow a case. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alliance' });
