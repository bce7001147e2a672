/** The writer tests' worker entry, as main/app-writes.worker.ts is the service's. */
import { serveWrites } from '../../main/store/writer-worker.js';
import { testOps } from './writer-test-ops.js';

serveWrites(testOps);
