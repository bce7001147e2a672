/** Entry of the writer's worker thread (store/writer-worker.ts): serves every op table of the service. */
import { appOps, configureWriteConnection } from './app-ops.js';
import { serveWrites } from './store/writer-worker.js';

serveWrites(appOps, configureWriteConnection);
