/**
 * Shell scripts run by `@pulumi/command` `local.Command`s on the operator's machine.
 *
 * Why the talosctl CLI rather than configs generated in TypeScript: a Talos machine config
 * embeds a PKI (cluster, etcd, aggregator and service-account CAs, bootstrap token,
 * secretbox key) and its talosconfig needs a client certificate signed by the Talos CA.
 * Node 20 cannot build X.509 certificates without an extra dependency, and re-implementing
 * `talosctl gen config` would drift from upstream defaults with every Talos release. The
 * CLI is pinned by the user (`talosctl` of the same minor as `versions.talos`), and every
 * secret crosses into a script through environment variables, never through arguments or
 * files that outlive the script. Secret stdout is registered with `additionalSecretOutputs`.
 */

/** Total time budget of one retried step (25 minutes). */
export const RETRY_BUDGET_SECONDS = 25 * 60;
/** `talosctl health --wait-timeout` of one attempt; the retry budget bounds the total. */
export const HEALTH_WAIT_TIMEOUT = "5m";

/** Preamble: strict mode, a private temp dir removed on exit, talosconfig from `$TALOSCONFIG_CONTENT`. */
const PREAMBLE = [
  "set -euo pipefail",
  "d=$(mktemp -d); trap 'rm -rf \"$d\"' EXIT",
  // Bounded: every retried step gives up after RETRY_BUDGET_SECONDS in total (a person waits
  // that long; the old 60 x `health --wait-timeout ${HEALTH_WAIT_TIMEOUT}` could run for 10 hours).
  `retry() { local end=$((SECONDS+${RETRY_BUDGET_SECONDS})); until "$@"; do [ "$SECONDS" -ge "$end" ] && { echo "gave up after ${RETRY_BUDGET_SECONDS / 60} minutes: $*" >&2; return 1; }; sleep 10; done; }`,
].join("\n");
const WITH_TALOSCONFIG = `${PREAMBLE}\nprintf '%s' "$TALOSCONFIG_CONTENT" > "$d/talosconfig"; export TALOSCONFIG="$d/talosconfig"`;

/** Generates the cluster's machine secrets once (`$TALOS_VERSION`). */
export function genSecretsScript(): string {
  return `${PREAMBLE}\ntalosctl gen secrets --talos-version "$TALOS_VERSION" -o "$d/secrets.yaml" >/dev/null\ncat "$d/secrets.yaml"`;
}

/**
 * Renders one machine config (`controlplane` or `worker`) from `$TALOS_SECRETS` and the
 * JSON patch in `$TALOS_PATCH`. A control-plane config without a secretbox key would store
 * Secrets unencrypted in etcd, so the script refuses it.
 */
export function genConfigScript(role: "controlplane" | "worker"): string {
  return [
    PREAMBLE,
    `printf '%s' "$TALOS_SECRETS" > "$d/secrets.yaml"; printf '%s' "$TALOS_PATCH" > "$d/patch.json"`,
    `talosctl gen config "$CLUSTER_NAME" "$CLUSTER_ENDPOINT" --with-secrets "$d/secrets.yaml" --talos-version "$TALOS_VERSION" --kubernetes-version "$KUBERNETES_VERSION" --config-patch @"$d/patch.json" --output-types ${role} --with-docs=false --with-examples=false -o "$d/${role}.yaml" >/dev/null`,
    ...(role === "controlplane"
      ? [
          `grep -q secretboxEncryptionSecret "$d/${role}.yaml" || { echo "etcd secret encryption key missing from the generated config" >&2; exit 1; }`,
        ]
      : []),
    `cat "$d/${role}.yaml"`,
  ].join("\n");
}

/** Renders the talosconfig for `$TALOS_ENDPOINTS` (space separated), default node `$TALOS_NODE`. */
export function talosconfigScript(): string {
  return [
    PREAMBLE,
    `printf '%s' "$TALOS_SECRETS" > "$d/secrets.yaml"`,
    `talosctl gen config "$CLUSTER_NAME" "$CLUSTER_ENDPOINT" --with-secrets "$d/secrets.yaml" --talos-version "$TALOS_VERSION" --output-types talosconfig -o "$d/talosconfig" >/dev/null`,
    `talosctl --talosconfig "$d/talosconfig" config endpoint $TALOS_ENDPOINTS`,
    `talosctl --talosconfig "$d/talosconfig" config node "$TALOS_NODE"`,
    `cat "$d/talosconfig"`,
  ].join("\n");
}

/** Bootstraps etcd on `$TALOS_NODE`; tolerates "already bootstrapped" so a retry is harmless. */
export function bootstrapScript(): string {
  return `${WITH_TALOSCONFIG}\nboot() { out=$(talosctl bootstrap --nodes "$TALOS_NODE" 2>&1) || echo "$out" | grep -q AlreadyExists; }\nretry boot`;
}

/** Waits until Talos reports the cluster healthy (etcd, API server, nodes Ready once Cilium runs). */
export function healthScript(): string {
  return `${WITH_TALOSCONFIG}\nretry talosctl health --nodes "$TALOS_NODE" --wait-timeout ${HEALTH_WAIT_TIMEOUT} || { echo "cluster not healthy within ${RETRY_BUDGET_SECONDS / 60} minutes; inspect with talosctl health / talosctl dmesg" >&2; exit 1; }`;
}

/** Fetches the admin kubeconfig from `$TALOS_NODE`. */
export function kubeconfigScript(): string {
  return `${WITH_TALOSCONFIG}\nretry talosctl kubeconfig --nodes "$TALOS_NODE" --force "$d/kubeconfig" >/dev/null\ncat "$d/kubeconfig"`;
}

/**
 * Upgrades `$TALOS_NODE` to `$TALOS_VERSION` unless it already runs it, then waits for
 * health. Idempotent, so it doubles as the create step (a fresh node may boot an older
 * snapshot) and the update step.
 */
export function upgradeNodeScript(): string {
  return [
    WITH_TALOSCONFIG,
    `current=$(talosctl get version --nodes "$TALOS_NODE" -o jsonpath='{.spec.version}' 2>/dev/null || true)`,
    `if [ "$current" != "$TALOS_VERSION" ]; then talosctl upgrade --nodes "$TALOS_NODE" --image "$TALOS_INSTALLER_IMAGE" --wait --timeout 20m; fi`,
    `retry talosctl health --nodes "$TALOS_HEALTH_NODE" --wait-timeout ${HEALTH_WAIT_TIMEOUT}`,
  ].join("\n");
}

/** Upgrades Kubernetes (control plane components, kubelets, bootstrap manifests) to `$KUBERNETES_VERSION`. */
export function upgradeKubernetesScript(): string {
  return `${WITH_TALOSCONFIG}\ntalosctl upgrade-k8s --nodes "$TALOS_NODE" --to "$KUBERNETES_VERSION" --with-docs=false --with-examples=false`;
}

/**
 * Applies `$MACHINE_CONFIG` to `$TALOS_NODE` through the Talos API: live when no reboot is
 * needed, otherwise staged for the next reboot (an upgrade or a manual `talosctl reboot`).
 */
export function applyConfigScript(): string {
  return [
    WITH_TALOSCONFIG,
    `printf '%s' "$MACHINE_CONFIG" > "$d/config.yaml"`,
    `talosctl apply-config --nodes "$TALOS_NODE" --file "$d/config.yaml" --mode=no-reboot || talosctl apply-config --nodes "$TALOS_NODE" --file "$d/config.yaml" --mode=staged`,
  ].join("\n");
}

/** Create step of commands whose work only matters on later changes. */
export const NOOP = "true";
