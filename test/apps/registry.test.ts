/** The built-in app list: one definition per app, each complete on its own. */
import { BUILT_IN_APPS } from "../../components/apps/registry";

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe("built-in apps", () => {
  it("lists each app once, by a DNS-label name", () => {
    const names = BUILT_IN_APPS.map((d) => d.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const name of names) expect({ name, label: LABEL.test(name) }).toEqual({ name, label: true });
  });
  it("gives every app images, each with its platforms and a DNS-label name", () => {
    for (const { name: app, images } of BUILT_IN_APPS) {
      expect({ app, images: Object.keys(images).length > 0 }).toEqual({ app, images: true });
      for (const [image, d] of Object.entries(images))
        expect({ app, image, label: LABEL.test(image), platforms: d.platforms.length > 0 }).toEqual({
          app,
          image,
          label: true,
          platforms: true,
        });
    }
  });
  it("names only apps of the list in each app's needs", () => {
    const names = BUILT_IN_APPS.map((d) => d.name);
    for (const { name: app, catalog } of BUILT_IN_APPS)
      for (const needed of catalog.needsApps ?? [])
        expect({ app, needed, known: names.includes(needed) }).toEqual({ app, needed, known: true });
  });
});
