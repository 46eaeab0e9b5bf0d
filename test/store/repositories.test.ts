/** The repository suite, looped over SQLite (temp file) and PostgreSQL (a schema per run). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SonoError } from '../../src/errors.js';
import type { Store } from '../../src/store/types.js';
import { freshStore, type FreshStore } from './store-backends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`store repositories: ${kind}`, { concurrency: false }, () => {
    let fresh: FreshStore;
    let store: Store;
    before(async () => {
      fresh = await freshStore(kind);
      store = fresh.store;
    });
    after(async () => fresh.cleanup());

    it('migrations are idempotent and ping reports the database up', async () => {
      await store.migrate();
      const h = await store.ping();
      assert.equal(h.ok, true);
      assert.equal(h.error, undefined);
    });

    it('creates, reads and transitions a task through its states', async () => {
      const t = await store.tasks.create({
        processingType: 'comprehensive',
        priority: 7,
        sourcePath: '/data/uploads/a.wav',
        originalName: 'a.wav',
        sizeBytes: 5_000_000_000, // above 2^32: bigint columns must round-trip
        mime: 'audio/wav',
        submittedBy: 'alice',
        externalIds: { maxxi_id: 'MX-1', inventory: 'INV 42' },
        options: { profile: 'access-copy' },
      });
      assert.equal(t.status, 'queued');
      assert.equal(t.progress, 0);
      assert.equal(t.sizeBytes, 5_000_000_000);
      assert.deepEqual(t.externalIds, { maxxi_id: 'MX-1', inventory: 'INV 42' });
      assert.deepEqual(t.options, { profile: 'access-copy' });
      assert.equal(t.createdAt, t.updatedAt);
      assert.ok(!Number.isNaN(Date.parse(t.createdAt)));

      const p = await store.tasks.markProcessing(t.id, 1);
      assert.equal(p?.status, 'processing');
      assert.equal(p?.attempts, 1);
      const startedAt = p?.startedAt;
      assert.ok(startedAt);
      await store.tasks.setProgress(t.id, 0.3);
      assert.equal((await store.tasks.get(t.id))?.progress, 0.3);
      await store.tasks.setProgress(t.id, 7); // clamped
      assert.equal((await store.tasks.get(t.id))?.progress, 1);

      // A retry keeps the first started_at.
      assert.equal(await store.tasks.markQueued(t.id), true);
      await sleep(5);
      assert.equal((await store.tasks.markProcessing(t.id, 2))?.startedAt, startedAt);

      const r = await store.results.insertOrGet({
        taskId: t.id,
        sha256: 'a'.repeat(64),
        processingType: 'comprehensive',
        analyzersKey: 'qc@1',
        schemaVersion: '1.0.0',
        reportJson: JSON.stringify({ schema_version: '1.0.0', results: { x: 1.5 } }),
      });
      assert.equal(
        await store.tasks.markCompleted(t.id, {
          resultId: r.id,
          processingTimeSec: 1.25,
          durationSec: 180.5,
        }),
        true,
      );
      const done = await store.tasks.get(t.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.progress, 1);
      assert.equal(done?.resultId, r.id);
      assert.equal(done?.processingTimeSec, 1.25);
      assert.equal(done?.durationSec, 180.5);
      assert.ok(done?.completedAt && done.completedAt >= done.createdAt);
      // Finished tasks cannot be cancelled, failed or restarted.
      assert.equal(await store.tasks.markCancelled(t.id), false);
      assert.equal(await store.tasks.markFailed(t.id, { code: 'X', message: 'y' }), false);
      assert.equal(await store.tasks.markProcessing(t.id, 3), undefined);
    });

    it('a cancelled task is not picked up, completed or failed', async () => {
      const t = await store.tasks.create({ processingType: 'speech', sourcePath: '/b.wav' });
      assert.equal(await store.tasks.markCancelled(t.id), true);
      assert.equal(await store.tasks.markCancelled(t.id), false);
      assert.equal(await store.tasks.markProcessing(t.id, 1), undefined);
      assert.equal(
        await store.tasks.markCompleted(t.id, { resultId: 'nope', processingTimeSec: 1 }),
        false,
      );
      const c = await store.tasks.get(t.id);
      assert.equal(c?.status, 'cancelled');
      assert.ok(c?.completedAt);
    });

    it('records a coded failure', async () => {
      const t = await store.tasks.create({ processingType: 'music', sourcePath: '/c.wav' });
      await store.tasks.markProcessing(t.id, 1);
      assert.equal(
        await store.tasks.markFailed(t.id, {
          code: 'SONO_ERR_DECODE_FAILED',
          message: 'Audio decoding failed: x',
        }),
        true,
      );
      const f = await store.tasks.get(t.id);
      assert.equal(f?.status, 'failed');
      assert.equal(f?.errorCode, 'SONO_ERR_DECODE_FAILED');
    });

    it('deletes a batch (a refused submission) and only once', async () => {
      const batch = await store.batches.create({ taskCount: 2, label: 'refused' });
      assert.equal(await store.batches.delete(batch.id), true);
      assert.equal(await store.batches.get(batch.id), undefined);
      assert.equal(await store.batches.delete(batch.id), false);
    });

    it('lists and filters tasks with cursor pagination, newest first', async () => {
      const batch = await store.batches.create({
        submittedBy: 'bob',
        taskCount: 5,
        label: 'box 3',
      });
      assert.equal((await store.batches.get(batch.id))?.label, 'box 3');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const t = await store.tasks.create({
          processingType: i % 2 ? 'music' : 'technical',
          sourcePath: `/batch/${i}.wav`,
          batchId: batch.id,
          submittedBy: 'bob',
        });
        ids.push(t.id);
        await sleep(3); // distinct created_at
      }
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.tasks.list({ batchId: batch.id, limit: 2, cursor });
        pages.push(page.items.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(
        pages.map((p) => p.length),
        [2, 2, 1],
      );
      assert.deepEqual(pages.flat(), [...ids].reverse());

      const music = await store.tasks.list({ batchId: batch.id, processingType: 'music' });
      assert.equal(music.items.length, 2);
      assert.equal(music.nextCursor, null);
      await store.tasks.markCancelled(ids[0]!);
      const st = await store.tasks.list({ batchId: batch.id, status: ['cancelled', 'failed'] });
      assert.deepEqual(
        st.items.map((t) => t.id),
        [ids[0]],
      );
      const t2 = (await store.tasks.get(ids[2]!))!;
      const range = await store.tasks.list({
        submittedBy: 'bob',
        createdFrom: t2.createdAt,
        createdTo: (await store.tasks.get(ids[4]!))!.createdAt,
      });
      assert.deepEqual(
        range.items.map((t) => t.id),
        [ids[3], ids[2]],
      );
      await assert.rejects(
        store.tasks.list({ cursor: 'garbage' }),
        (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_INVALID_PARAMETER',
      );
      await assert.rejects(
        store.tasks.list({ limit: 0 }),
        (e: unknown) => e instanceof SonoError && e.details['name'] === 'limit',
      );
      const counts = await store.tasks.countByStatus();
      assert.ok(counts.cancelled >= 2);
      assert.ok(counts.queued >= 4);
    });

    it('results are unique by content; insertOrGet returns the first', async () => {
      const key = { sha256: 'b'.repeat(64), processingType: 'technical', analyzersKey: 'qc@1' };
      assert.equal(await store.results.findByContent(key), undefined);
      const a = await store.results.insertOrGet({
        ...key,
        taskId: 't-1',
        schemaVersion: '1.0.0',
        reportJson: '{"n":1}',
      });
      const b = await store.results.insertOrGet({
        ...key,
        taskId: 't-2',
        schemaVersion: '1.0.0',
        reportJson: '{"n":2}',
      });
      assert.equal(b.id, a.id);
      assert.equal(b.taskId, 't-1');
      assert.equal(b.reportJson, '{"n":1}');
      const other = await store.results.insertOrGet({
        ...key,
        analyzersKey: 'qc@2',
        taskId: 't-3',
        schemaVersion: '1.0.0',
        reportJson: '{}',
      });
      assert.notEqual(other.id, a.id);
      assert.equal((await store.results.findByContent(key))?.id, a.id);
    });

    it('users: unique usernames, roles checked, updates', async () => {
      const u = await store.users.create({
        username: 'carla',
        passwordHash: 'h1',
        role: 'archivist',
      });
      assert.equal(u.disabled, false);
      await assert.rejects(
        store.users.create({ username: 'carla', passwordHash: 'h2', role: 'viewer' }),
        (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_CONFLICT',
      );
      await assert.rejects(
        // @ts-expect-error: a role outside the union must be refused at run time too
        store.users.create({ username: 'dan', passwordHash: 'h', role: 'root' }),
        (e: unknown) => e instanceof SonoError && e.details['name'] === 'role',
      );
      const up = await store.users.update(u.id, { role: 'admin', disabled: true });
      assert.equal(up?.role, 'admin');
      assert.equal(up?.disabled, true);
      assert.equal((await store.users.getByUsername('carla'))?.id, u.id);
      assert.equal(await store.users.count(), 1);
      assert.equal(await store.users.delete(u.id), true);
      assert.equal(await store.users.get(u.id), undefined);
    });

    it('api keys: found by prefix until revoked; touch records use', async () => {
      const owner = await store.users.create({
        username: 'maxxi-bot',
        passwordHash: 'x',
        role: 'archivist',
      });
      const k = await store.apiKeys.create({
        name: 'MAXXI',
        prefix: 'sk_abcd1234',
        keyHash: 'hash',
        role: 'archivist',
        userId: owner.id,
      });
      assert.equal(k.lastUsedAt, null);
      assert.deepEqual(
        (await store.apiKeys.findByPrefix('sk_abcd1234')).map((x) => x.id),
        [k.id],
      );
      await store.apiKeys.touch(k.id);
      assert.ok((await store.apiKeys.get(k.id))?.lastUsedAt);
      assert.equal(await store.apiKeys.revoke(k.id), true);
      assert.equal(await store.apiKeys.revoke(k.id), false);
      assert.deepEqual(await store.apiKeys.findByPrefix('sk_abcd1234'), []);
      // Deleting the owner keeps the key row (user_id set null).
      await store.users.delete(owner.id);
      assert.equal((await store.apiKeys.get(k.id))?.userId, null);
    });

    it('audit log: append-only, newest first, filters, pagination', async () => {
      for (let i = 0; i < 5; i++) {
        await store.audit.append({
          actor: i % 2 ? 'erin' : 'system',
          actorKind: i % 2 ? 'user' : 'system',
          action: i < 3 ? 'task.submit' : 'task.delete',
          targetType: 'task',
          targetId: `t${i}`,
          details: { i },
          ip: '127.0.0.1',
        });
      }
      const first = await store.audit.list({ limit: 3 });
      assert.deepEqual(
        first.items.map((e) => e.targetId),
        ['t4', 't3', 't2'],
      );
      const rest = await store.audit.list({ limit: 3, cursor: first.nextCursor! });
      assert.deepEqual(
        rest.items.map((e) => e.targetId),
        ['t1', 't0'],
      );
      assert.equal(rest.nextCursor, null);
      const erin = await store.audit.list({ actor: 'erin', action: 'task.submit' });
      assert.deepEqual(
        erin.items.map((e) => [e.targetId, e.details]),
        [['t1', { i: 1 }]],
      );
    });

    it('maxxi deliveries: upsert creates then patches; cascades with the task', async () => {
      const t = await store.tasks.create({ processingType: 'comprehensive', sourcePath: '/m.wav' });
      await assert.rejects(store.maxxi.upsert(t.id, { lastError: 'x' }), SonoError);
      const d = await store.maxxi.upsert(t.id, { state: 'pending' });
      assert.equal(d.webhookAttempts, 0);
      const d2 = await store.maxxi.upsert(t.id, {
        state: 'delivered',
        webhookAttempts: 2,
        deliveredAt: '2026-01-01T00:00:00.000Z',
        lastError: null,
      });
      assert.equal(d2.state, 'delivered');
      assert.equal(d2.webhookAttempts, 2);
      const d3 = await store.maxxi.upsert(t.id, { externalState: 'ingested' });
      assert.equal(d3.state, 'delivered');
      assert.equal(d3.externalState, 'ingested');
      assert.equal((await store.maxxi.list({ state: 'delivered' })).length, 1);
      await store.tasks.delete(t.id);
      assert.equal(await store.maxxi.get(t.id), undefined);
    });
  });
}
