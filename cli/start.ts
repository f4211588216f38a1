// `npm start`: the whole platform on one machine, until Ctrl-C (cli/run-process.ts).
import { runCovenant, startFailed } from './run-process.js';

runCovenant('start').catch(startFailed);
