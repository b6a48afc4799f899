/**
 * What every Mastodon spec is made of: the env groups, the secret env, the database claim the
 * Rails processes share, the stores they talk to and the Rails container of the glitch-soc image.
 */
import type { AppSpec, ContainerSpec, EnvValue, ImageRef, Peer } from "../workload";
import { MASTODON_BITWARDEN_KEYS, mastodonEnvGroups, type MastodonEnvGroup } from "./env";
import { CORE, REDIS, SEARCH } from "./names";
import type { MastodonSettings } from "./settings";

/** A set image; callers only ask for images the settings resolved. */
export function imageOf(s: MastodonSettings, name: string): ImageRef {
  const image = s.images[name];
  if (!image) throw new Error(`Mastodon: image ${name} has no reference (checked by mastodonSpecs)`);
  return image;
}

/** The pieces the specs share, resolved once from the settings ({@link mastodonParts}). */
export interface MastodonParts {
  readonly settings: MastodonSettings;
  /** The given env groups as the spec's own ConfigMaps. */
  readonly own: (...names: MastodonEnvGroup[]) => Record<string, Record<string, string>>;
  /** The secret store's keys as env, from the core spec's `app` secret. */
  readonly secretEnv: Record<string, EnvValue>;
  /** Elasticsearch's password as `ES_PASS`. */
  readonly esPass: Record<string, EnvValue>;
  /** The claim every Rails and streaming process shares (owned by the core spec). */
  readonly database: NonNullable<AppSpec["database"]>;
  /** Redis and Elasticsearch. */
  readonly stores: Peer[];
  /** Internet egress ports of web; of Sidekiq, which also sends mail. */
  readonly internet: number[];
  readonly internetWithMail: number[];
  /** A Rails container of the glitch-soc image. */
  readonly rails: (extra: Partial<ContainerSpec> & Pick<ContainerSpec, "resources">) => ContainerSpec;
}

/** Resolves the shared pieces of the specs from the settings. */
export function mastodonParts(s: MastodonSettings, domain: string): MastodonParts {
  const groups = mastodonEnvGroups(s, domain);
  const own = (...names: MastodonEnvGroup[]): Record<string, Record<string, string>> =>
    Object.fromEntries(names.map((n) => [n, groups[n]]));
  const secretEnv: Record<string, EnvValue> = Object.fromEntries(
    Object.keys(MASTODON_BITWARDEN_KEYS).map((k) => [k, { secret: `${CORE}/app`, key: k }]),
  );
  const esPass: Record<string, EnvValue> = { ES_PASS: { secret: `${SEARCH}/auth`, key: "password" } };
  // 002: "SSL with verify-ca mode": every Rails and streaming process verifies the server
  // against the CloudNativePG cluster's CA.
  const database = { cluster: s.postgresCluster, owner: CORE, verifyCa: true };
  const stores: Peer[] = [
    { app: REDIS, port: 6379 },
    { app: SEARCH, port: 9200 },
  ];
  // Federation, media on S3 and remote media over plain HTTP, for every Rails process; SMTP
  // (submission and implicit TLS) only for Sidekiq: Mastodon sends every mail through
  // ActionMailer `deliver_later` (app/models/user.rb `render_and_send_devise_message`,
  // `UserMailer.welcome(self).deliver_later`), a job on Sidekiq's `mailers` queue, so the
  // web process never speaks SMTP.
  const internet = [80, 443];
  const internetWithMail = [...internet, 465, 587];
  /** A Rails container of the glitch-soc image. */
  const rails = (extra: Partial<ContainerSpec> & Pick<ContainerSpec, "resources">): ContainerSpec => ({
    image: imageOf(s, "mastodon"),
    env: { ...secretEnv, ...esPass },
    // The image's `mastodon` user (glitch-soc/mastodon Dockerfile: ARG UID="991", GID="991").
    runAsUser: 991,
    // Rails writes pids and the bootsnap cache under tmp/ (WORKDIR /opt/mastodon).
    writablePaths: ["/opt/mastodon/tmp", "/tmp"],
    ...extra,
  });
  return { settings: s, own, secretEnv, esPass, database, stores, internet, internetWithMail, rails };
}
