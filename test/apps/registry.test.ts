/** The app registry and the catalog agree: an app is built exactly when the catalog says so. */
import { APP_REGISTRY } from "../../components/apps/registry";
import { APP_IMAGES } from "../../config/apps/images";
import { APPS } from "../../config/catalog";
import { APP_SETTINGS } from "../../config/services";

describe("app registry", () => {
  it("builds exactly the apps the catalog marks delivered", () => {
    const delivered = Object.keys(APPS)
      .filter((a) => APPS[a].delivered)
      .sort();
    expect(Object.keys(APP_REGISTRY).sort()).toEqual(delivered);
    for (const [name, definition] of Object.entries(APP_REGISTRY)) expect(definition.name).toBe(name);
  });
  it("parses settings and knows the images of every built app", () => {
    for (const name of Object.keys(APP_REGISTRY)) {
      expect({ name, settings: name in APP_SETTINGS }).toEqual({ name, settings: true });
      expect({ name, images: name in APP_IMAGES }).toEqual({ name, images: true });
    }
  });
  it("declares the platforms of every image with a default", () => {
    for (const [app, images] of Object.entries(APP_IMAGES))
      for (const [image, d] of Object.entries(images))
        expect({ app, image, platforms: d.platforms.length > 0 }).toEqual({ app, image, platforms: true });
  });
});
