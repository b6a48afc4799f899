/** Every built-in app's images by app name, as the apps' definitions declare them. */
import { BUILT_IN_APPS } from "../../components/apps/registry";
import type { ImageDefault } from "../../config/apps/images";

export const APP_IMAGES: Readonly<Record<string, Readonly<Record<string, ImageDefault>>>> =
  Object.fromEntries(BUILT_IN_APPS.map((d) => [d.name, d.images]));
