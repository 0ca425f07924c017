// The Explorer's pure helpers: the one-run sweep command of a picked run, and the CSV of the rows on screen.
import { describe, expect, it } from "vitest";
import { oneRunCommand, toCsv } from "../../src/components/explorer.js";

const lr1 = (lr: number, seed: number) => ({
  run_id: `LR1_quick_lr=${lr}_seed=${seed}`,
  experiment: "LR1",
  task: "decoder",
  k: 1024,
  lr,
  eps: 1 / 64,
  init_bias: 0,
  decay_nominal: 0,
  l1: 0,
  batch: 16,
  steps: 32768,
  seed,
});

describe("explorer helpers", () => {
  it("sets exactly the fields that vary inside the experiment, and the seed", () => {
    const all = [lr1(0.007, 2), lr1(0.01, 2), lr1(0.01, 3), { ...lr1(0.01, 2), experiment: "LR3", init_bias: -1 }];
    const { command, note } = oneRunCommand(all[1], all, "quick");
    expect(command).toBe("npm run sweep -- --experiment LR1 --preset quick --set lr=0.01 --set seed=2");
    expect(note).toBeNull();
  });
  it("does not --set a swept decay (that would switch off the rescaling) and says which run to take", () => {
    const e = (d: number) => ({ run_id: `E1_${d}`, experiment: "E1", eps: 0.01, decay_nominal: d, seed: 1, lr: 0.01 });
    const all = [e(0.01), e(0.1)];
    const { command, note } = oneRunCommand(all[1], all, "smoke");
    expect(command).not.toContain("decay");
    expect(note).toContain("decay_nominal = 0.1");
  });
  it("writes RFC 4180 CSV", () => {
    const csv = toCsv([
      { a: 1, b: 'say "hi", ok' },
      { a: null, c: true },
    ]);
    expect(csv).toBe('a,b,c\n1,"say ""hi"", ok",\n,,true\n');
  });
});
