import { describe, expect, it } from "vitest";
import { runsWhere } from "../../src/components/sql.js";
import { defaultState, encodeState, parseState, stateToFilter } from "../../src/components/urlstate.js";

describe("URL state codec", () => {
  it("round-trips", () => {
    const s = defaultState();
    s.categories.experiment = ["LR1", "B3-GeLU"];
    s.values.lr = [0.001, 0.03];
    s.ranges.mono_per_feature = [0.1, 0.9];
    s.x = "lr";
    s.color = "task";
    s.run = "LR1_smoke_lr=0.001_seed=1";
    const text = encodeState(s);
    const back = parseState(text);
    expect(back.notices).toEqual([]);
    expect(back.state).toEqual(s);
    expect(encodeState(defaultState())).toBe("");
  });
  it("drops unknown and invalid values with a notice", () => {
    const { state, notices } = parseState("?experiment=LR1,XX&lr=0.01,abc,Infinity,0x10&mono_per_feature=1..&x=__proto__&color=bad&run=a'b&evil=1&experiment=LR3");
    expect(state.categories.experiment).toEqual(["LR1"]);
    expect(state.values.lr).toEqual([0.01]);
    expect(state.ranges.mono_per_feature).toBeUndefined();
    expect(state.x).toBe("final_loss");
    expect(state.color).toBe("experiment");
    expect(state.run).toBeNull();
    expect(notices.length).toBe(10);
  });
  it("gives a safe filter", () => {
    const { state } = parseState("?experiment=LR3&k=1024&final_loss=2..1");
    const where = runsWhere(stateToFilter(state));
    expect(where).toContain(`"experiment" IN ('LR3')`);
    expect(where).toContain(`"final_loss" BETWEEN 1 AND 2`);
  });
});
