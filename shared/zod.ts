// The project's one zod: zod/mini (checks are functions, not methods on every schema), with
// zod's English messages. In a bundle it is about 25 KiB where zod's classic API is about 95 KiB,
// and a Lambda compiles all of its bundle on every cold start (README, "Performance").
// Import it as a namespace (`import * as z from '…/shared/zod'`), which esbuild tree-shakes.
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
