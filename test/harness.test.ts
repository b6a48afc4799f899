import * as pulumi from "@pulumi/pulumi";
import { runProgram, SECRET_PLACEHOLDER } from "../lib/mock-runtime";

class Parent extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:test:Parent", name, {}, opts);
    this.registerOutputs({});
  }
}

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

describe("mock runtime harness", () => {
  it("records resource options and redacts secrets", async () => {
    const { resources, outputs } = await runProgram(() => {
      const parent = new Parent("p");
      const a = new Thing(
        "a",
        { plain: "visible", hidden: pulumi.secret("fake-secret-value") },
        { parent, protect: true, ignoreChanges: ["plain"], retainOnDelete: true },
      );
      new Thing("b", { ref: a.id }, { dependsOn: [a], deleteBeforeReplace: true });
      return { answer: 42 };
    });
    expect(outputs.answer).toBe(42);
    const a = resources.find((r) => r.name === "a")!;
    const b = resources.find((r) => r.name === "b")!;
    expect(a.urn).toBe("urn:pulumi:test::platform::platform:test:Parent$test:index:Thing::a");
    expect(a.parent).toBe("urn:pulumi:test::platform::platform:test:Parent::p");
    expect(a.protect).toBe(true);
    expect(a.retainOnDelete).toBe(true);
    expect(a.ignoreChanges).toEqual(["plain"]);
    expect(a.inputs).toEqual({ plain: "visible", hidden: SECRET_PLACEHOLDER });
    expect(b.dependsOn).toEqual([a.urn]);
    expect(b.deleteBeforeReplace).toBe(true);
    expect(JSON.stringify(resources)).not.toContain("fake-secret-value");
  });

  it("fails an unmocked provider function with its token", async () => {
    await expect(
      runProgram(async () => {
        await pulumi.runtime.invoke("test:index:getThing", {});
      }),
    ).rejects.toThrow("unmocked call to test:index:getThing");
  });
});
