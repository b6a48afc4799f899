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

/** Preamble: strict mode, a private temp dir removed on exit, talosconfig from `$TALOSCONFIG_CONTENT`. */
const PREAMBLE = [
  "set -euo pipefail",
  "d=$(mktemp -d); trap 'rm -rf \"$d\"' EXIT",
  // `retry` tries a command up to $RETRIES times (default 60), 10 s apart.
  'retry() { local n=0; until "$@"; do n=$((n+1)); [ "$n" -ge "${RETRIES:-60}" ] && return 1; sleep 10; done; }',
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

/**
 * Renders the talosconfig for `$TALOS_ENDPOINTS` (space separated), default node `$TALOS_NODE`.
 * It reads no version: every run signs a new client certificate, and each command that
 * carries the talosconfig re-runs when it changes, so a Talos or Kubernetes bump must not
 * regenerate it.
 */
export function talosconfigScript(): string {
  return [
    PREAMBLE,
    `printf '%s' "$TALOS_SECRETS" > "$d/secrets.yaml"`,
    `talosctl gen config "$CLUSTER_NAME" "$CLUSTER_ENDPOINT" --with-secrets "$d/secrets.yaml" --output-types talosconfig -o "$d/talosconfig" >/dev/null`,
    `talosctl --talosconfig "$d/talosconfig" config endpoint $TALOS_ENDPOINTS`,
    `talosctl --talosconfig "$d/talosconfig" config node "$TALOS_NODE"`,
    `cat "$d/talosconfig"`,
  ].join("\n");
}

/**
 * Gives a fresh server its machine config through the Talos API. The servers boot with no
 * user data, so Talos waits in maintenance mode for `apply-config --insecure` (Talos
 * "Maintenance mode"; hcloud-k8s boots its public clusters the same way, `talos_user_data =
 * null` and `talos_machine_configuration_apply`). Hetzner caps user data at 32 KiB and
 * serves it to anything on the node from its metadata service; the Talos API has neither
 * limit nor exposure. A node that already has its config answers authenticated calls
 * instead, so a re-run is harmless. `$NODE_ADDRESS` is the node's public IPv4, the only one
 * the operator can reach (the firewall opens 50000 to apiAllowedCidrs).
 */
export function initConfigScript(): string {
  return [
    WITH_TALOSCONFIG,
    `printf '%s' "$MACHINE_CONFIG" > "$d/config.yaml"`,
    `init() { talosctl apply-config --insecure --nodes "$NODE_ADDRESS" --file "$d/config.yaml" >/dev/null 2>&1 || talosctl version --endpoints "$NODE_ADDRESS" --nodes "$NODE_ADDRESS" >/dev/null 2>&1; }`,
    `retry init || { echo "$NODE_ADDRESS took no machine config in 10 minutes; is it in maintenance mode (hcloud server console) and is your address in apiAllowedCidrs?" >&2; exit 1; }`,
  ].join("\n");
}

/** Bootstraps etcd on `$TALOS_NODE`; tolerates "already bootstrapped" so a retry is harmless. */
export function bootstrapScript(): string {
  return `${WITH_TALOSCONFIG}\nboot() { out=$(talosctl bootstrap --nodes "$TALOS_NODE" 2>&1) || echo "$out" | grep -q AlreadyExists; }\nretry boot`;
}

/**
 * The bounded health wait: `talosctl health` waits up to 10 minutes itself and is tried
 * three times (a fresh node may not answer the Talos API at once), so a cluster that never
 * gets healthy (no CNI, a CCM without its Secret) fails `up` after about 30 minutes with
 * what to look at, not after hours.
 */
const HEALTH_WAIT = [
  'RETRIES=3 retry talosctl health --nodes "$TALOS_HEALTH_NODE" --wait-timeout 10m || {',
  '  echo "cluster not healthy after 30 minutes; inspect it with: talosctl --nodes $TALOS_HEALTH_NODE dmesg and kubectl -n kube-system get pods" >&2',
  "  exit 1",
  "}",
].join("\n");

/** Waits until Talos reports the cluster healthy (etcd, API server, nodes Ready once Cilium runs). */
export function healthScript(): string {
  return `${WITH_TALOSCONFIG}\nTALOS_HEALTH_NODE="$TALOS_NODE"\n${HEALTH_WAIT}`;
}

/**
 * Fetches the admin kubeconfig from `$TALOS_NODE`, points it at `$CLUSTER_ENDPOINT` (the
 * machine configs name the private endpoint, which only the nodes reach) and waits until
 * the API server answers `/readyz` with that kubeconfig's own credentials, so everything
 * applied through the Kubernetes provider afterwards finds an API server.
 */
export function kubeconfigScript(): string {
  return [
    WITH_TALOSCONFIG,
    `retry talosctl kubeconfig --nodes "$TALOS_NODE" --force "$d/fetched" >/dev/null`,
    `sed "s#^\\( *server:\\).*#\\1 $CLUSTER_ENDPOINT#" "$d/fetched" > "$d/kubeconfig"`,
    `field() { sed -n "s/^ *$1: //p" "$d/kubeconfig" | head -n 1 | base64 -d > "$d/$1"; }`,
    "field certificate-authority-data; field client-certificate-data; field client-key-data",
    `ready() { curl -fsS --max-time 10 --cacert "$d/certificate-authority-data" --cert "$d/client-certificate-data" --key "$d/client-key-data" "$CLUSTER_ENDPOINT/readyz" >/dev/null; }`,
    `retry ready || { echo "the Kubernetes API at $CLUSTER_ENDPOINT did not get ready in 10 minutes" >&2; exit 1; }`,
    `cat "$d/kubeconfig"`,
  ].join("\n");
}

/**
 * Takes `$TALOS_NODE` (`$NODE_NAME`) out of the cluster before its server is deleted, as
 * Talos' "Scaling down" guide does: `talosctl reset` cordons and drains the node and, on a
 * control plane, leaves etcd; then the Node object goes. The last etcd member has nothing
 * to leave (a single control plane, or the end of a destroy): it is left to the server's
 * deletion. A node that no longer answers is only removed from Kubernetes.
 * @see https://www.talos.dev/v1.11/talos-guides/howto/scaling-down/
 */
export function leaveScript(role: "controlplane" | "worker"): string {
  return [
    WITH_TALOSCONFIG,
    `printf '%s' "$KUBECONFIG_CONTENT" > "$d/kubeconfig"`,
    ...(role === "controlplane"
      ? [
          `members=$(talosctl etcd members --nodes "$TALOS_NODE" 2>/dev/null | tail -n +2 | wc -l || true)`,
          `if [ "\${members:-0}" -le 1 ]; then echo "$NODE_NAME: last etcd member (or unreachable), nothing to leave"; exit 0; fi`,
        ]
      : []),
    `if talosctl version --nodes "$TALOS_NODE" >/dev/null 2>&1; then`,
    `  talosctl reset --nodes "$TALOS_NODE" --graceful=true --reboot=false`,
    "else",
    `  echo "$NODE_NAME does not answer the Talos API; removing only its Node object" >&2`,
    "fi",
    `kubectl --kubeconfig "$d/kubeconfig" delete node "$NODE_NAME" --ignore-not-found`,
  ].join("\n");
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
    HEALTH_WAIT,
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

/**
 * Delete step of the destroy guard: before the network and firewall go, lists what the
 * cluster itself created in the Hetzner project and Pulumi does not know: servers the
 * cluster autoscaler created (label `hcloud/node-group=<node group>`, as the autoscaler's
 * Hetzner provider labels them) and the Gateway's load balancer the hcloud CCM created
 * (`$LOAD_BALANCERS`: the Gateway's and the Istio ingress gateway's). Either keeps the private network busy, so the destroy would fail
 * later with a message that names neither. Found any: prints each with the command that
 * removes it and stops. Volumes the CSI driver created are retained on purpose (the
 * encrypted class reclaims with Retain) and only listed.
 * @see https://docs.hetzner.cloud/reference/cloud#servers-get-all-servers
 */
export function destroyGuardScript(): string {
  return [
    PREAMBLE,
    `api() { curl -fsS --max-time 30 -H "Authorization: Bearer $HCLOUD_TOKEN" "https://api.hetzner.cloud/v1/$1"; }`,
    // The JSON answers are read with the Node.js that runs the Pulumi program.
    `names() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{for(const x of JSON.parse(s)[process.argv[1]])console.log(x.name)})' "$1"; }`,
    "left=0",
    "for group in $NODE_GROUPS; do",
    `  for s in $(api "servers?label_selector=hcloud/node-group=$group" | names servers); do echo "autoscaled server $s is still running: hcloud server delete $s" >&2; left=1; done`,
    "done",
    "for name in $LOAD_BALANCERS; do",
    `  for lb in $(api "load_balancers?name=$name" | names load_balancers); do echo "load balancer $lb (created for the cluster's Gateway or Istio ingress gateway) still exists: hcloud load-balancer delete $lb" >&2; left=1; done`,
    "done",
    `for v in $(api "volumes?label_selector=$VOLUME_SELECTOR" | names volumes); do echo "volume $v is kept (Retain); delete it when its data is no longer needed: hcloud volume delete $v"; done`,
    `if [ "$left" -ne 0 ]; then echo "destroy stopped before the network: remove the resources above (or scale the autoscaled pools to 0 and delete the Gateway first), then run pulumi destroy again" >&2; exit 1; fi`,
  ].join("\n");
}
