// The entry of a rule-runner thread: TypeScript is loaded through tsx (a worker thread does not
// inherit the parent's loader), then the tasks module answers the parent's messages.
import { register } from 'tsx/esm/api';

register();
await import('./tasks.ts');
