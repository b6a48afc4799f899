import { parse, parseAllDocuments } from "yaml";
import {
  k3sArgs,
  k3sInstallerUrl,
  k3sJoinUrl,
  planK3sNodes,
  renderRemoveNodeScript,
  renderIdentityGuard,
  renderKubeVipManifest,
  renderInstallScript,
  renderPrepareScript,
  renderUninstallScript,
  rewriteKubeconfig,
  shellQuote,
  validateK3sArgs,
} from "../../components/cluster/k3s";
import { K3S_KUBECONFIG, VERSIONS, piHost, productionConfig } from "./k3s-fixtures";

describe("planK3sNodes", () => {
  it("orders servers (config order) before agents, the first server initializing etcd", () => {
    const hosts = [piHost(4, "agent"), piHost(1), piHost(5, "agent"), piHost(2), piHost(3)];
    const plan = planK3sNodes(hosts);
    expect(plan.map((p) => p.host.name)).toEqual(["cm5-1", "cm5-2", "cm5-3", "cm5-4", "cm5-5"]);
    expect(plan.map((p) => p.first)).toEqual([true, false, false, false, false]);
  });
});

describe("k3sArgs", () => {
  const config = productionConfig({
    hosts: [
      ...productionConfig().hosts,
      { ...piHost(4, "agent"), taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] },
    ],
    extraServerArgs: ["--flannel-backend=wireguard-native"],
    extraAgentArgs: ["--kubelet-arg=max-pods=150"],
  });
  const plan = planK3sNodes(config.hosts);

  it("gives a server the API VIP and its own name and address as SANs, and no datastore flag", () => {
    expect(k3sArgs(config, plan[0])).toEqual([
      "server",
      "--token-file=/etc/rancher/k3s/cluster-token",
      "--node-name=cm5-1",
      "--node-ip=10.0.40.101",
      "--disable=servicelb",
      "--tls-san=10.0.40.99",
      "--tls-san=10.0.40.101",
      "--tls-san=cm5-1",
      "--write-kubeconfig-mode=0600",
      "--secrets-encryption",
      "--node-label=node.longhorn.io/create-default-disk=true",
      "--flannel-backend=wireguard-native",
    ]);
    for (const node of plan.slice(0, 3)) {
      expect(k3sArgs(config, node).join(" ")).not.toMatch(/--cluster-init|--server=/);
    }
  });

  it("joins agents through the API VIP with their taints and the agent flags, without server flags", () => {
    expect(k3sJoinUrl(config)).toBe("https://10.0.40.99:6443");
    expect(k3sArgs(config, plan[3])).toEqual([
      "agent",
      "--server=https://10.0.40.99:6443",
      "--token-file=/etc/rancher/k3s/cluster-token",
      "--node-name=cm5-4",
      "--node-ip=10.0.40.104",
      "--node-taint=gpu=true:NoSchedule",
      "--kubelet-arg=max-pods=150",
    ]);
  });

  it("does not change any remaining node's flags when the first server is removed", () => {
    const without = productionConfig({ hosts: [piHost(2), piHost(3), piHost(4), piHost(5, "agent")] });
    const withFirst = productionConfig({
      hosts: [piHost(1), piHost(2), piHost(3), piHost(4), piHost(5, "agent")],
    });
    const args = (c: typeof config, name: string) =>
      k3sArgs(
        c,
        planK3sNodes(c.hosts).find((n) => n.host.name === name)!,
      );
    for (const name of ["cm5-2", "cm5-3", "cm5-4", "cm5-5"]) {
      expect(args(without, name)).toEqual(args(withFirst, name));
    }
  });
});

describe("renderInstallScript", () => {
  const config = productionConfig();
  const [first, second] = planK3sNodes(config.hosts);
  const script = renderInstallScript(config, first, "v1.33.5+k3s1", "v1.0.4");
  const joining = renderInstallScript(config, second, "v1.33.5+k3s1", "v1.0.4");

  it("runs the installer of the pinned release with the version and the node's flags", () => {
    expect(k3sInstallerUrl("v1.33.5+k3s1")).toBe(
      "https://raw.githubusercontent.com/k3s-io/k3s/v1.33.5%2Bk3s1/install.sh",
    );
    expect(script).toContain(
      'curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/v1.33.5%2Bk3s1/install.sh -o "$INSTALLER"',
    );
    expect(script).toContain(
      '$SUDO env INSTALL_K3S_VERSION=v1.33.5+k3s1 sh "$INSTALLER" server "$DATASTORE" --token-file=/etc/rancher/k3s/cluster-token',
    );
    expect(script).toContain("--disable=servicelb --tls-san=10.0.40.99");
  });

  it("creates the cluster only on the first server and only when no cluster answers at the VIP", () => {
    const choice = [
      "  if $SUDO test -d /var/lib/rancher/k3s/server/db/etcd || curl -fks --max-time 5 https://10.0.40.99:6443/ping >/dev/null 2>&1; then",
      "    DATASTORE=--server=https://10.0.40.99:6443",
      "  else",
    ].join("\n");
    expect(script).toContain(`${choice}\n    DATASTORE=--cluster-init\n  fi`);
    expect(joining).toContain(choice);
    expect(joining).not.toContain("--cluster-init");
    expect(joining).toContain(
      "no K3s API answers at https://10.0.40.99:6443 yet; cm5-1 (the first server) creates the cluster",
    );
  });

  it("deploys kube-vip on servers after checking the interface, and waits for the API VIP", () => {
    expect(script).toContain(`if ! ip -o -4 addr show dev eth0 2>/dev/null | grep -q " 10.0.40.101/"; then`);
    expect(script).toContain(
      "set config.apiVipInterface to the interface kube-vip should announce 10.0.40.99 on",
    );
    expect(script).toContain("| $SUDO tee /var/lib/rancher/k3s/server/manifests/kube-vip.yaml >/dev/null");
    expect(script).toContain("until curl -fks --max-time 5 https://10.0.40.99:6443/ping >/dev/null 2>&1; do");
    const agent = renderInstallScript(
      productionConfig({ hosts: [piHost(1), piHost(4, "agent")] }),
      planK3sNodes([piHost(1), piHost(4, "agent")])[1],
      "v1.33.5+k3s1",
      "v1.0.4",
    );
    expect(agent).not.toContain("kube-vip");
    expect(agent).toContain('sh "$INSTALLER" agent --server=https://10.0.40.99:6443 ');
  });

  it("checks the host is the configured architecture", () => {
    expect(script).toContain('if [ "$(uname -m)" != aarch64 ]');
    expect(
      renderInstallScript(
        productionConfig({ architecture: "amd64", raspberryPi: false }),
        first,
        "v1.33.5+k3s1",
        "v1.0.4",
      ),
    ).toContain("!= x86_64 ]");
  });

  it("reads the token from stdin into a root-only file, never onto a command line, and never replaces it", () => {
    expect(script).toContain("IFS= read -r TOKEN || true");
    expect(script).toContain("umask 077");
    expect(script).toContain(`printf '%s' "$TOKEN" | $SUDO tee /etc/rancher/k3s/cluster-token >/dev/null`);
    // The secret must not change; its form may (the short secret -> the full K10... token).
    expect(script).toContain(
      'if $SUDO test -f /etc/rancher/k3s/cluster-token; then\n  OLD="$($SUDO cat /etc/rancher/k3s/cluster-token)"\n  if [ "${OLD##*::server:}" != "${TOKEN##*::server:}" ]; then',
    );
    expect(script).not.toMatch(/K3S_TOKEN=|--token=/);
  });

  it("does nothing on a rerun with the same version and flags, and waits for Ready at the version", () => {
    expect(script).toMatch(
      /\[ "\$\(\$SUDO cat \/etc\/rancher\/k3s\/platform-install 2>\/dev\/null \|\| true\)" = 'v1\.33\.5\+k3s1 server --token-file=/,
    );
    expect(script).toContain("get node cm5-1 -o");
    expect(script).toContain("if [ \"$STATUS\" = 'v1.33.5+k3s1 True' ]; then break; fi");
    // A re-flashed host that K3s refuses (its old Node still exists) is told what to do.
    expect(script).toContain(
      "if this host was re-flashed, K3s refuses it while its old Node exists: set gone: true on it",
    );
  });

  it("refuses a host that runs K3s as another node or for another cluster, before changing it", () => {
    const guard = renderIdentityGuard(productionConfig({ formerNames: ["prod"] }), piHost(1));
    expect(guard).toContain(`  "  "|*" --node-name=cm5-1 "*) ;;`);
    expect(guard).toContain(
      "renaming a node in place is not supported; remove the host from config, run pulumi up, then add it as cm5-1",
    );
    expect(guard).toContain(`  ""|production|prod) ;;`);
    expect(guard).toContain("add $CLUSTER to formerNames of production if the cluster was renamed");
    // Before the token, the installer or anything else touches the host.
    expect(script.indexOf("PREVIOUS=")).toBeLessThan(script.indexOf("IFS= read -r TOKEN"));
  });
});

interface ManifestDoc {
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      spec: {
        hostNetwork: boolean;
        serviceAccountName: string;
        containers: { image: string; args: string[]; env: { name: string; value?: string }[] }[];
      };
    };
  };
}

describe("renderKubeVipManifest", () => {
  const docs = parseAllDocuments(renderKubeVipManifest(productionConfig(), "v1.0.4")).map(
    (d) => d.toJS() as ManifestDoc,
  );

  it("ships kube-vip's RBAC and a control-plane-only ARP DaemonSet on the API VIP", () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "ServiceAccount/kube-vip",
      "ClusterRole/system:kube-vip-role",
      "ClusterRoleBinding/system:kube-vip-binding",
      "DaemonSet/kube-vip-ds",
    ]);
    const container = docs[3].spec.template.spec.containers[0];
    expect(container.image).toBe("ghcr.io/kube-vip/kube-vip:v1.0.4");
    expect(container.args).toEqual(["manager"]);
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      vip_arp: "true",
      port: "6443",
      vip_interface: "eth0",
      cp_enable: "true",
      vip_leaderelection: "true",
      address: "10.0.40.99",
    });
    // MetalLB owns LoadBalancer Services: kube-vip must not announce them.
    expect(env["svc_enable"]).toBeUndefined();
    expect(docs[3].spec.template.spec.hostNetwork).toBe(true);
    expect(docs[3].spec.template.spec.serviceAccountName).toBe("kube-vip");
  });
});

describe("renderPrepareScript", () => {
  it("sets the hostname, installs the Longhorn/NFS packages and enables time sync", () => {
    const script = renderPrepareScript(productionConfig({ raspberryPi: false }), piHost(1));
    expect(script).toContain("$SUDO hostnamectl set-hostname cm5-1");
    expect(script).toContain("for pkg in ca-certificates curl open-iscsi nfs-common $TIMESYNC; do");
    expect(script).toContain("$SUDO systemctl enable --now iscsid");
    expect(script).toContain("$SUDO timedatectl set-ntp true");
    expect(script).not.toContain("cmdline.txt");
    // The identity guard runs before the hostname changes.
    expect(script.indexOf("--node-name=cm5-1")).toBeLessThan(script.indexOf("hostnamectl"));
  });

  it("adds the memory cgroup flags to cmdline.txt only on a Raspberry Pi, idempotently", () => {
    const script = renderPrepareScript(productionConfig(), piHost(1));
    expect(script).toContain(
      "CMDLINE=/boot/firmware/cmdline.txt; [ -f $CMDLINE ] || CMDLINE=/boot/cmdline.txt",
    );
    expect(script).toContain("for flag in cgroup_memory=1 cgroup_enable=memory; do");
    expect(script).toContain('case " $(cat $CMDLINE) " in *" $flag "*) ;;');
  });
});

describe("install.sh pinning", () => {
  const sha = "ab".repeat(32);
  const node = planK3sNodes(productionConfig().hosts)[1];
  it("verifies the fetched installer against the configured sha256 before running it", () => {
    const script = renderInstallScript(
      productionConfig({ installerSha256: { "v1.33.5+k3s1": sha } }),
      node,
      "v1.33.5+k3s1",
      "v1.0.4",
    );
    const check = `  if ! printf '%s  %s\\n' ${sha} "$INSTALLER" | sha256sum -c - >/dev/null 2>&1; then`;
    expect(script).toContain(check);
    expect(script.indexOf(check)).toBeLessThan(script.indexOf('sh "$INSTALLER"'));
    expect(renderInstallScript(productionConfig(), node, "v1.33.5+k3s1", "v1.0.4")).not.toContain(
      "sha256sum",
    );
  });

  it("refuses a version bump without the new release's checksum", () => {
    expect(() =>
      validateK3sArgs("production", productionConfig({ installerSha256: { "v1.33.5+k3s1": sha } }), {
        ...VERSIONS,
        k3s: "v1.34.1+k3s1",
      }),
    ).toThrow(
      'K3sCluster "production": config.installerSha256 pins v1.33.5+k3s1 but not versions.k3s "v1.34.1+k3s1"; add "v1.34.1+k3s1": the output of curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/v1.34.1+k3s1/install.sh | sha256sum',
    );
  });
});

describe("delete scripts", () => {
  it("drains a Ready node, deletes a dead one without a drain, and does neither on destroy", () => {
    const script = renderRemoveNodeScript("cm5-3");
    const kubectl = "$SUDO /usr/local/bin/k3s kubectl";
    // The whole cluster going: no drain, no Node delete (the last etcd member cannot go).
    expect(script).toContain(
      `if ${kubectl} -n kube-system get configmap platform-teardown >/dev/null 2>&1; then\n  echo "the whole cluster is being destroyed: not draining or deleting node cm5-3"\n  exit 0\nfi`,
    );
    // A node whose kubelet is gone is not drained (its pods could never terminate).
    expect(script).toContain(
      `if [ "$READY" = True ]; then\n  ${kubectl} drain cm5-3 --ignore-daemonsets --delete-emptydir-data --timeout=600s\nelse`,
    );
    // Never --force: K3s's finalizer removes the etcd member; bounded wait.
    expect(script).toContain(`${kubectl} delete node cm5-3 --wait=true --timeout=300s`);
    expect(script).not.toContain("--force");
    expect(script.indexOf("platform-teardown")).toBeLessThan(script.indexOf("drain cm5-3"));
  });

  it("uninstalls K3s with its own uninstaller, unless the host now runs another node", () => {
    const script = renderUninstallScript("cm5-3");
    expect(script).toContain(
      "for u in /usr/local/bin/k3s-uninstall.sh /usr/local/bin/k3s-agent-uninstall.sh; do",
    );
    expect(script).toContain(`  "  "|*" --node-name=cm5-3 "*) ;;`);
    expect(script).toContain(
      '    echo "this host now runs another K3s node than cm5-3; not uninstalling"\n    exit 0',
    );
  });
});

describe("shellQuote", () => {
  it("leaves plain words alone and single-quotes the rest", () => {
    expect(shellQuote("--node-label=a=b")).toBe("--node-label=a=b");
    expect(shellQuote("it's $HOME")).toBe(`'it'"'"'s $HOME'`);
  });
});

describe("rewriteKubeconfig", () => {
  it("points the server at the VIP and names cluster, user and context after the cluster", () => {
    const doc = parse(rewriteKubeconfig(K3S_KUBECONFIG, "https://10.0.40.100:6443", "production"));
    expect(doc.clusters).toEqual([
      {
        cluster: { "certificate-authority-data": "Q0EtREFUQQ==", server: "https://10.0.40.100:6443" },
        name: "production",
      },
    ]);
    expect(doc.users[0]).toEqual({
      name: "production",
      user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" },
    });
    expect(doc.contexts).toEqual([
      { context: { cluster: "production", user: "production" }, name: "production" },
    ]);
    expect(doc["current-context"]).toBe("production");
  });

  it("rejects output that is not a single-cluster kubeconfig", () => {
    expect(() => rewriteKubeconfig("", "https://x:6443", "p")).toThrow("did not print a kubeconfig");
    expect(() => rewriteKubeconfig("clusters: []\nusers: []\ncontexts: []\n", "https://x:6443", "p")).toThrow(
      "expected exactly one entry in `clusters`, found 0",
    );
  });
});

describe("validateK3sArgs", () => {
  const check =
    (overrides: Parameters<typeof productionConfig>[0], versions = VERSIONS) =>
    () =>
      validateK3sArgs("production", productionConfig(overrides), versions);

  it("accepts the production cluster of 004", () => {
    expect(check({})).not.toThrow();
    expect(check({ hosts: [piHost(1)] })).not.toThrow();
  });

  it.each([
    [
      [piHost(1), piHost(2)],
      'K3sCluster "production": config.hosts has 2 server(s) (cm5-1, cm5-2); embedded etcd needs an odd number: use 1 server or 3 or more (3, 5, 7)',
    ],
    [[piHost(1, "agent")], "config.hosts has 0 server(s) (none)"],
    [[piHost(1), piHost(2), piHost(3), piHost(4)], "config.hosts has 4 server(s)"],
  ])("rejects an even or zero server count (%#)", (hosts, message) => {
    expect(check({ hosts })).toThrow(message);
  });

  it("rejects duplicate host names and addresses", () => {
    expect(check({ hosts: [piHost(1), piHost(2), { ...piHost(3), name: "cm5-1" }] })).toThrow(
      'config.hosts[2].name "cm5-1" is used by another host; host names must be unique',
    );
    expect(check({ hosts: [piHost(1), piHost(2), { ...piHost(3), address: "10.0.40.101" }] })).toThrow(
      'config.hosts[2].address "10.0.40.101" is used by another host; host addresses must be unique',
    );
  });

  it("rejects invalid addresses, VIP and host names", () => {
    expect(check({ hosts: [{ ...piHost(1), address: "10.0.40.300" }] })).toThrow(
      'config.hosts[0].address is "10.0.40.300" (host "cm5-1"); expected an IPv4 address',
    );
    expect(check({ vip: "10.0.40" })).toThrow(
      'config.vip is "10.0.40"; expected an IPv4 address such as "10.0.40.100"',
    );
    expect(check({ vip: "10.0.40.200" })).toThrow(
      'config.vip "10.0.40.200" is outside config.loadBalancerPool "10.0.40.100-10.0.40.120"',
    );
    expect(check({ hosts: [{ ...piHost(1), address: "10.0.40.100" }] })).toThrow(
      'config.hosts[0].address "10.0.40.100" equals config.vip',
    );
    expect(check({ hosts: [{ ...piHost(1), address: "10.0.40.99" }] })).toThrow(
      'config.hosts[0].address "10.0.40.99" equals config.apiVip; the API VIP must be an address no host owns',
    );
    expect(check({ hosts: [{ ...piHost(1), name: "CM5_1" }] })).toThrow(
      'config.hosts[0].name is "CM5_1"; expected a lowercase DNS label',
    );
  });

  it("rejects an unsupported architecture and a Pi that is not arm64", () => {
    expect(check({ architecture: "riscv64" as never })).toThrow(
      'config.architecture is "riscv64"; expected one of amd64, arm64',
    );
    expect(check({ architecture: "amd64" })).toThrow(
      'config.raspberryPi is true but config.architecture is "amd64"',
    );
  });

  it("rejects a version that is not a K3s release tag", () => {
    expect(check({}, { ...VERSIONS, k3s: "latest" })).toThrow(
      'versions.k3s is "latest"; expected a K3s release tag such as "v1.33.5+k3s1"',
    );
  });

  it("rejects extra flags the component manages or that are not flags", () => {
    expect(check({ extraServerArgs: ["--cluster-init"] })).toThrow(
      'config.extraServerArgs sets "--cluster-init", which K3sCluster manages itself',
    );
    expect(check({ extraAgentArgs: ["--token=abc"] })).toThrow('config.extraAgentArgs sets "--token"');
    expect(check({ extraServerArgs: ["disable=traefik"] })).toThrow(
      'config.extraServerArgs has "disable=traefik"; each entry is one flag',
    );
  });

  it("keeps the API VIP out of MetalLB's pool and requires MetalLB for the ingress VIP", () => {
    expect(check({ apiVip: "10.0.40.105" })).toThrow(
      'K3sCluster "production": config.apiVip "10.0.40.105" is inside config.loadBalancerPool "10.0.40.100-10.0.40.120"; kube-vip announces the API VIP itself, so pick a free address outside MetalLB\'s pool',
    );
    expect(check({ apiVip: "10.0.40" })).toThrow(
      'config.apiVip is "10.0.40"; expected an IPv4 address such as "10.0.40.99"',
    );
    expect(check({ apiVipInterface: "eth0 up" })).toThrow(
      'config.apiVipInterface is "eth0 up"; expected a network interface name such as "eth0"',
    );
    expect(check({ services: ["longhorn"] })).toThrow(
      'config.services lacks "metallb"; K3sCluster disables K3s\'s ServiceLB, so only MetalLB can serve config.vip "10.0.40.100" (Traefik); add metallb to config.services',
    );
  });

  it("rejects a kube-vip version that is not a release tag and a former name equal to the name", () => {
    expect(check({}, { ...VERSIONS, kubeVip: "latest" })).toThrow(
      'versions.kubeVip is "latest"; expected a kube-vip release tag such as "v1.0.4"',
    );
    expect(check({ formerNames: ["production"] })).toThrow(
      'config.formerNames has "production"; list earlier names of this cluster (DNS labels other than "production")',
    );
  });

  it("rejects a bad SSH port", () => {
    expect(check({ sshPort: 0 })).toThrow("config.sshPort is 0; expected an integer port 1-65535");
  });
});
