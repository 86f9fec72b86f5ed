// Test environment: deterministic AWS settings, no credentials lookup, quiet Powertools.
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.CDK_DISABLE_CLI_TELEMETRY ??= 'true';
