// Execution input of the three state machines, validated once by the Begin step. Unknown
// fields are refused: a typo such as "dryrun" must never turn a practice run into a real one.
import * as z from 'zod';
import { InvalidRunbookInput } from './errors';
import type { FailoverMode, RunbookName } from './model';

const requestedBy = z
  .string()
  .trim()
  .min(1, 'requestedBy is required: who asks for this run (e.g. "oncall:alice" or "alarm:<alarm name>")')
  .max(200)
  .regex(/^[\w.@+:/ -]+$/, 'requestedBy may hold letters, digits, spaces and . @ + : / _ - only');

const common = {
  reason: z.string().trim().min(3, 'reason is required: say why this runbook is being run').max(500),
  requestedBy,
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  expectedVersion: z.number().int().nonnegative().optional(),
  detectedAt: z.iso.datetime({ offset: true }).optional(),
};

const schemas = {
  fence: z.strictObject({ ...common, lift: z.boolean().default(false) }),
  failover: z.strictObject({ ...common, mode: z.enum(['planned', 'ungraceful']).default('planned') }),
  failback: z.strictObject({ ...common, primaryHealthConfirmed: z.boolean().default(false) }),
};

export interface RunbookInput {
  reason: string;
  requestedBy: string;
  dryRun: boolean;
  force: boolean;
  expectedVersion: number | null;
  detectedAt: string | null;
  mode: FailoverMode | null;
  lift: boolean;
  primaryHealthConfirmed: boolean;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export function parseRunbookInput(runbook: RunbookName, raw: unknown): RunbookInput {
  const parsed = schemas[runbook].safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidRunbookInput(`Invalid ${runbook} input: ${describeIssues(parsed.error)}`);
  const input = parsed.data as z.infer<(typeof schemas)['failover']> &
    Partial<z.infer<(typeof schemas)['fence']>> &
    Partial<z.infer<(typeof schemas)['failback']>>;
  if (runbook === 'fence' && input.force) {
    throw new InvalidRunbookInput('Invalid fence input: force has no effect on fence; leave it out');
  }
  return {
    reason: input.reason,
    requestedBy: input.requestedBy,
    dryRun: input.dryRun,
    force: input.force,
    expectedVersion: input.expectedVersion ?? null,
    detectedAt: input.detectedAt ?? null,
    mode: runbook === 'failover' ? (input.mode ?? 'planned') : null,
    lift: input.lift ?? false,
    primaryHealthConfirmed: input.primaryHealthConfirmed ?? false,
  };
}

/** Runs started by an alarm (EventBridge rule input) name themselves "alarm:<alarm name>". */
export function isAutomatic(requestedBy: string): boolean {
  return requestedBy.startsWith('alarm:');
}
