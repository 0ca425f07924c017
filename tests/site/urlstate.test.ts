// The Explorer's URL state: round-trips, invalid values dropped with a notice, safe filters, and sliders left alone.
import { describe, expect, it } from "vitest";
import { runsWhere } from "../../src/components/sql.js";
import { defaultState, encodeState, parseState, sliderRanges, stateToFilter } from "../../src/components/urlstate.js";

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
    const { state, notices } = parseState(
      "?experiment=LR1,XX&lr=0.01,abc,Infinity,0x10&mono_per_feature=1..&x=__proto__&color=bad&run=a'b&evil=1&experiment=LR3",
    );
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
  it("round-trips flags, run length, numeric colour and the brush", () => {
    const s = defaultState();
    s.values.steps = [4096];
    s.flags.converged = true;
    s.flags.collapsed = false;
    s.color = "lr";
    s.brush = { final_loss: [0.25, 3], mono_per_feature: [0, 0.5] };
    const text = encodeState(s);
    expect(text).toContain("converged=yes");
    expect(text).toContain("collapsed=no");
    const back = parseState(text);
    expect(back.notices).toEqual([]);
    expect(back.state).toEqual(s);
    const where = runsWhere(stateToFilter(back.state));
    expect(where).toContain(`"converged" = true`);
    expect(where).toContain(`"collapsed" = false`);
    expect(where).toContain(`abs("steps" - 4096)`);
  });
  it("rejects a bad flag or brush with a notice", () => {
    const { state, notices } = parseState("?converged=maybe&brush=evil:1..2,final_loss:3..x");
    expect(state.flags).toEqual({});
    expect(state.brush).toBeNull();
    expect(notices.length).toBe(3);
  });
  it("untouched or snapped sliders constrain nothing", () => {
    const extent = { final_loss: [0.3, 48] as [number, number], mono_per_feature: [0, 1] as [number, number] };
    const steps = { final_loss: (48 - 0.3) / 200, mono_per_feature: 1 / 200 };
    // Snapped values inside the extent: not moved, so no range.
    const snapped = { final_loss: [0.34, 47.9] as [number, number], mono_per_feature: [0.001, 0.999] as [number, number] };
    expect(sliderRanges(snapped, extent, new Set(), steps)).toEqual({});
    // Moved, but the ends sit within a step of the extent: still open.
    expect(sliderRanges(snapped, extent, new Set(["final_loss"]), steps)).toEqual({});
    // Moved well inside: a range, with the untouched end open.
    expect(sliderRanges({ ...snapped, final_loss: [5, 47.9] }, extent, new Set(["final_loss"]), steps)).toEqual({ final_loss: [5, 48] });
  });
});
