// cpuCount() counts the CPUs this process may use, as Python 3.13's process_cpu_count() does
// (and joblib's cpu_count, with a cgroup CPU quota): a program pinned to one CPU, or given a
// quota of one CPU, gets pools of one worker, not one per CPU of the machine.
import assert from "node:assert/strict";

const fixture = new URL("./fixtures/cpu_budget.ts", import.meta.url).pathname;

async function budget(prefix: string[]): Promise<Record<string, number>> {
  const [command, ...args] = [...prefix, Deno.execPath(), "run", "-A", fixture];
  const out = await new Deno.Command(command!, {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(text);
}

function has(command: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${command}`] }).outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test("cpuCount(), new Pool() and nJobs: -1 follow the machine's processors", async () => {
  const all = await budget([]);
  assert.equal(all.cpuCount, navigator.hardwareConcurrency);
  assert.equal(all.pool, all.cpuCount);
  assert.equal(all.nJobsAll, all.cpuCount);
});

Deno.test({
  name: "a program pinned to one CPU (taskset, an HPC job slot) gets pools of one worker",
  ignore: Deno.build.os !== "linux" || !has("taskset") || navigator.hardwareConcurrency < 2,
  fn: async () => {
    assert.deepEqual(await budget(["taskset", "-c", "0"]), {
      cpuCount: 1,
      pool: 1,
      nJobsAll: 1,
    });
  },
});

/** A cgroup (v1) with a CPU quota of one CPU, where this machine lets us make one (as root). */
function quotaGroup(): string | undefined {
  const group = `/sys/fs/cgroup/cpu/workers_mp_test_${Deno.pid}`;
  try {
    Deno.mkdirSync(group);
    Deno.writeTextFileSync(`${group}/cpu.cfs_quota_us`, "100000");
    Deno.writeTextFileSync(`${group}/cpu.cfs_period_us`, "100000");
    return group;
  } catch {
    try {
      Deno.removeSync(group);
    } catch {
      // never made
    }
    return undefined;
  }
}

Deno.test("a program under a cgroup CPU quota of one CPU gets pools of one worker", async (t) => {
  const group = navigator.hardwareConcurrency >= 2 ? quotaGroup() : undefined;
  if (group === undefined) {
    // Skipped where no cgroup (v1 cpu controller, writable) can be made: not root, or v2 only.
    await t.step({ name: "no writable cgroup here", ignore: true, fn: () => {} });
    return;
  }
  try {
    const got = await budget(["sh", "-c", `echo $$ > ${group}/cgroup.procs && exec "$@"`, "sh"]);
    assert.deepEqual(got, { cpuCount: 1, pool: 1, nJobsAll: 1 });
  } finally {
    Deno.removeSync(group);
  }
});
