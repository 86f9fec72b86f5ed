import { DOKKERR_CATALOG } from '../../shared/catalog/dokkerr-catalog';
import type { MetricCatalog } from './schema';

/**
 * The metric catalog of the watched application (Dokkerr). The data lives in `shared/catalog` so the
 * application's instrumentation reads the same entries; the annotation checks it against the schema.
 */
export const DEFAULT_CATALOG: MetricCatalog = DOKKERR_CATALOG;
