/**
 * The app composition's database step (stacks/apps.ts): the consumer fields an app's build
 * adds to its specs' claims (`databaseConsumers`), and the error for one that claims nothing.
 */
import type { AppBuild } from "../../components/apps/types";
import type { DatabaseClaim } from "../../components/apps/workload";
import { consumerClaims } from "../../stacks/apps";

const claim = (app: string): DatabaseClaim => ({ app, database: app, cluster: "db", namespace: "demo" });
const built = (databaseConsumers?: AppBuild["databaseConsumers"]) => ({
  name: "demo",
  app: {
    namespace: "demo",
    specs: [],
    waitingForImages: [],
    ...(databaseConsumers ? { databaseConsumers } : {}),
  },
});

describe("databaseConsumers", () => {
  it("merges an app's consumer fields into the claim of the spec it names, and only that one", () => {
    expect(
      consumerClaims("c1", built({ ferret: { documentdb: true } }), [claim("ferret"), claim("web")]),
    ).toEqual([{ ...claim("ferret"), documentdb: true }, claim("web")]);
    expect(consumerClaims("c1", built(), [claim("web")])).toEqual([claim("web")]);
  });

  it("refuses consumer fields for a spec that claims no database", () => {
    expect(() => consumerClaims("c1", built({ ferret: { documentdb: true } }), [claim("web")])).toThrow(
      "cluster c1: app demo sets databaseConsumers.ferret, but it has no spec named ferret that claims a database (claims: web); name a spec with its own database",
    );
  });
});
