// Starts `model-server-worker.ts` inside a worker thread: workers do not inherit the parent's TypeScript loader.
import { register } from 'tsx/esm/api';

register();
await import('./model-server-worker.ts');
