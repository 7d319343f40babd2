// Execution input of the three state machines, validated once by the Begin step. Unknown
// fields are refused: a typo such as "dryrun" must never turn a practice run into a real one.
import * as z from '../../shared/zod';
import { InvalidRunbookInput } from './errors';
import type { FailoverMode, RunbookName } from './model';

const requestedBy = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'requestedBy is required: who asks for this run (e.g. "oncall:alice" or "alarm:<alarm name>")'),
    z.maxLength(200),
    z.regex(/^[\w.@+:/ -]+$/, 'requestedBy may hold letters, digits, spaces and . @ + : / _ - only'),
  );

const common = {
  reason: z.string().check(z.trim(), z.minLength(3, 'reason is required: say why this runbook is being run'), z.maxLength(500)),
  requestedBy,
  dryRun: z._default(z.boolean(), false),
  force: z._default(z.boolean(), false),
  expectedVersion: z.optional(z.int().check(z.nonnegative())),
  detectedAt: z.optional(z.iso.datetime({ offset: true })),
};

const schemas = {
  fence: z.strictObject({ ...common, lift: z._default(z.boolean(), false) }),
  failover: z.strictObject({ ...common, mode: z._default(z.enum(['planned', 'ungraceful']), 'planned') }),
  failback: z.strictObject({ ...common, primaryHealthConfirmed: z._default(z.boolean(), false) }),
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

function describeIssues(error: z.core.$ZodError): string {
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
  const parsed = z.safeParse(schemas[runbook], raw ?? {});
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
