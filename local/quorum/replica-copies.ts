// Each region's eventually consistent copy of the MRSC tables, kept behind the authoritative
// copy. After every commit the written keys are marked pending for every region; a region's copy
// takes them (reading the authoritative item again, so an older sync can never overwrite a newer
// commit) while that region holds the majority, and keeps them pending while it does not. A
// region cut off from the quorum therefore answers eventually consistent reads from what it had,
// and catches up once it is back in the majority, as AWS describes: "Eventually consistent read
// operations to the catching up Region will return the data that has so far been propagated into
// the Region" (bp-global-table-design.html, "Key facts about MRSC").

import type { QuorumMembership } from './membership';
import { callDynamo, callDynamoOk, keyIdentity, type WireItem } from './wire';

export interface CopyTable {
  name: string;
  keyAttributes: string[];
  authorityName: string;
  replicaName(region: string): string;
}

interface PendingKey {
  table: CopyTable;
  key: WireItem;
}

interface RegionCopy {
  region: string;
  endpoint: string;
  pending: Map<string, PendingKey>;
  running: boolean;
  retryTimer?: NodeJS.Timeout;
  lastError?: string;
}

const RETRY_AFTER_MS = 250;

export class ReplicaCopies {
  private readonly copies: Map<string, RegionCopy>;
  private stopped = false;

  constructor(
    private readonly options: {
      authorityEndpoint: string;
      regions: Array<{ region: string; dynamodbEndpoint: string }>;
      membership: QuorumMembership;
      log(line: string): void;
    },
  ) {
    this.copies = new Map(
      options.regions.map((r) => [r.region, { region: r.region, endpoint: r.dynamodbEndpoint, pending: new Map(), running: false }]),
    );
    options.membership.onChange(() => this.kickAll());
  }

  /** Marks committed keys pending in every region and starts the copies that may take them. */
  committed(entries: PendingKey[]): void {
    for (const copy of this.copies.values()) {
      for (const entry of entries) copy.pending.set(this.idOf(entry), entry);
    }
    this.kickAll();
  }

  /** Every key of the authoritative copy and of each region's copy: a full resync (on start). */
  async resyncAll(tables: CopyTable[]): Promise<void> {
    for (const table of tables) {
      const authorityKeys = await this.scanKeys(this.options.authorityEndpoint, table.authorityName, table.keyAttributes);
      for (const copy of this.copies.values()) {
        const ownKeys = await this.scanKeys(copy.endpoint, table.replicaName(copy.region), table.keyAttributes);
        for (const key of [...authorityKeys, ...ownKeys]) copy.pending.set(this.idOf({ table, key }), { table, key });
      }
    }
    this.kickAll();
  }

  pendingCount(region: string): number {
    return this.copies.get(region)?.pending.size ?? 0;
  }

  /** True when every region holding the majority has taken every commit (the others wait for the heal). */
  settled(): boolean {
    return [...this.copies.values()].every((c) => !this.options.membership.hasMajority(c.region) || (c.pending.size === 0 && !c.running));
  }

  pendingSummary(): string[] {
    return [...this.copies.values()]
      .filter((c) => this.options.membership.hasMajority(c.region) && (c.pending.size > 0 || c.running))
      .map((c) => `${c.region}: ${c.pending.size} key(s) pending${c.lastError ? ` (last error: ${c.lastError})` : ''}`);
  }

  stop(): void {
    this.stopped = true;
    for (const copy of this.copies.values()) clearTimeout(copy.retryTimer);
  }

  private idOf(entry: PendingKey): string {
    return `${entry.table.name}\u0000${keyIdentity(entry.table.keyAttributes, entry.key)}`;
  }

  private kickAll(): void {
    for (const copy of this.copies.values()) this.kick(copy);
  }

  private kick(copy: RegionCopy): void {
    if (this.stopped || copy.running || copy.pending.size === 0 || !this.options.membership.hasMajority(copy.region)) return;
    copy.running = true;
    void this.drain(copy).finally(() => {
      copy.running = false;
      // Commits that arrived while the last key was being copied.
      if (!copy.retryTimer) this.kick(copy);
    });
  }

  private async drain(copy: RegionCopy): Promise<void> {
    while (!this.stopped && this.options.membership.hasMajority(copy.region)) {
      const next = copy.pending.entries().next();
      if (next.done) return;
      const [id, entry] = next.value;
      copy.pending.delete(id);
      try {
        await this.copyKey(copy, entry);
        if (copy.lastError) this.options.log(`[quorum] ${copy.region} copy catches up again`);
        copy.lastError = undefined;
      } catch (error) {
        if (!copy.pending.has(id)) copy.pending.set(id, entry);
        const message = `${(error as Error).name}: ${(error as Error).message}`;
        if (copy.lastError !== message) this.options.log(`[quorum] copying to ${copy.region}: ${message}`);
        copy.lastError = message;
        copy.retryTimer = setTimeout(() => {
          copy.retryTimer = undefined;
          this.kick(copy);
        }, RETRY_AFTER_MS);
        copy.retryTimer.unref();
        return;
      }
    }
  }

  private async copyKey(copy: RegionCopy, { table, key }: PendingKey): Promise<void> {
    const current = await callDynamoOk<{ Item?: WireItem }>(this.options.authorityEndpoint, 'GetItem', {
      TableName: table.authorityName,
      Key: key,
      ConsistentRead: true,
    });
    const target = table.replicaName(copy.region);
    const answer = current.Item
      ? await callDynamo(copy.endpoint, 'PutItem', { TableName: target, Item: current.Item })
      : await callDynamo(copy.endpoint, 'DeleteItem', { TableName: target, Key: key });
    if (answer.status !== 200) throw new Error(`copy of ${table.name} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  }

  private async scanKeys(endpoint: string, tableName: string, keyAttributes: string[]): Promise<WireItem[]> {
    const keys: WireItem[] = [];
    let start: WireItem | undefined;
    do {
      const page: { Items?: WireItem[]; LastEvaluatedKey?: WireItem } = await callDynamoOk(endpoint, 'Scan', {
        TableName: tableName,
        ProjectionExpression: keyAttributes.map((_, i) => `#k${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(keyAttributes.map((name, i) => [`#k${i}`, name])),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      keys.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }
}
