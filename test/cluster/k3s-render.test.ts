import { parse } from "yaml";
import {
  k3sArgs,
  k3sInstallerUrl,
  planK3sNodes,
  renderDrainScript,
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

  it("initializes embedded etcd on the first server only", () => {
    expect(k3sArgs(config, plan[0])).toEqual([
      "server",
      "--cluster-init",
      "--token-file=/etc/rancher/k3s/cluster-token",
      "--node-name=cm5-1",
      "--node-ip=10.0.40.101",
      "--disable=servicelb",
      "--tls-san=10.0.40.100",
      "--tls-san=10.0.40.101",
      "--tls-san=cm5-1",
      "--tls-san=10.0.40.102",
      "--tls-san=cm5-2",
      "--tls-san=10.0.40.103",
      "--tls-san=cm5-3",
      "--write-kubeconfig-mode=0600",
      "--node-label=node.longhorn.io/create-default-disk=true",
      "--flannel-backend=wireguard-native",
    ]);
    for (const node of plan.slice(1)) expect(k3sArgs(config, node)).not.toContain("--cluster-init");
  });

  it("joins the other servers to the first one, with the same SANs and ServiceLB disabled", () => {
    const args = k3sArgs(config, plan[1]);
    expect(args.slice(0, 2)).toEqual(["server", "--server=https://10.0.40.101:6443"]);
    expect(args).toEqual(
      expect.arrayContaining(["--disable=servicelb", "--tls-san=10.0.40.100", "--node-name=cm5-2"]),
    );
    expect(args).not.toContain("--disable=traefik");
  });

  it("joins agents with their taints and the agent flags, without server flags", () => {
    expect(k3sArgs(config, plan[3])).toEqual([
      "agent",
      "--server=https://10.0.40.101:6443",
      "--token-file=/etc/rancher/k3s/cluster-token",
      "--node-name=cm5-4",
      "--node-ip=10.0.40.104",
      "--node-taint=gpu=true:NoSchedule",
      "--kubelet-arg=max-pods=150",
    ]);
  });
});

describe("renderInstallScript", () => {
  const config = productionConfig();
  const [first, second] = planK3sNodes(config.hosts);
  const script = renderInstallScript(config, first, "v1.33.5+k3s1");

  it("runs the installer of the pinned release with the version and the node's flags", () => {
    expect(k3sInstallerUrl("v1.33.5+k3s1")).toBe(
      "https://raw.githubusercontent.com/k3s-io/k3s/v1.33.5%2Bk3s1/install.sh",
    );
    expect(script).toContain(
      'curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/v1.33.5%2Bk3s1/install.sh -o "$INSTALLER"',
    );
    expect(script).toContain(
      '$SUDO env INSTALL_K3S_VERSION=v1.33.5+k3s1 sh "$INSTALLER" server --cluster-init --token-file=/etc/rancher/k3s/cluster-token',
    );
    expect(script).toContain("--disable=servicelb --tls-san=10.0.40.100");
    expect(renderInstallScript(config, second, "v1.33.5+k3s1")).toContain(
      'sh "$INSTALLER" server --server=https://10.0.40.101:6443 ',
    );
  });

  it("checks the host is the configured architecture", () => {
    expect(script).toContain('if [ "$(uname -m)" != aarch64 ]');
    expect(
      renderInstallScript(
        productionConfig({ architecture: "amd64", raspberryPi: false }),
        first,
        "v1.33.5+k3s1",
      ),
    ).toContain("!= x86_64 ]");
  });

  it("reads the token from stdin into a root-only file, never onto a command line", () => {
    expect(script).toContain('TOKEN="$(cat)"');
    expect(script).toContain("umask 077");
    expect(script).toContain(`printf '%s' "$TOKEN" | $SUDO tee /etc/rancher/k3s/cluster-token >/dev/null`);
    expect(script).not.toMatch(/K3S_TOKEN=|--token=/);
  });

  it("does nothing on a rerun with the same version and flags, and waits for Ready at the version", () => {
    expect(script).toMatch(
      /\[ "\$\(\$SUDO cat \/etc\/rancher\/k3s\/platform-install 2>\/dev\/null \|\| true\)" = 'v1\.33\.5\+k3s1 server --cluster-init /,
    );
    expect(script).toContain("get node cm5-1 -o");
    expect(script).toContain("if [ \"$STATUS\" = 'v1.33.5+k3s1 True' ]");
  });
});

describe("renderPrepareScript", () => {
  it("sets the hostname, installs the Longhorn/NFS packages and enables time sync", () => {
    const script = renderPrepareScript(piHost(1), "arm64", false);
    expect(script).toContain("$SUDO hostnamectl set-hostname cm5-1");
    expect(script).toContain("for pkg in ca-certificates curl open-iscsi nfs-common $TIMESYNC; do");
    expect(script).toContain("$SUDO systemctl enable --now iscsid");
    expect(script).toContain("$SUDO timedatectl set-ntp true");
    expect(script).not.toContain("cmdline.txt");
  });

  it("adds the memory cgroup flags to cmdline.txt only on a Raspberry Pi, idempotently", () => {
    const script = renderPrepareScript(piHost(1), "arm64", true);
    expect(script).toContain(
      "CMDLINE=/boot/firmware/cmdline.txt; [ -f $CMDLINE ] || CMDLINE=/boot/cmdline.txt",
    );
    expect(script).toContain("for flag in cgroup_memory=1 cgroup_enable=memory; do");
    expect(script).toContain('case " $(cat $CMDLINE) " in *" $flag "*) ;;');
  });
});

describe("delete scripts", () => {
  it("drains the node and removes it from the cluster, tolerating a node already gone", () => {
    const script = renderDrainScript("cm5-3");
    expect(script).toContain(
      "$SUDO k3s kubectl drain cm5-3 --ignore-daemonsets --delete-emptydir-data --timeout=600s",
    );
    expect(script).toContain("$SUDO k3s kubectl delete node cm5-3 --wait=true");
    expect(script).toContain("if $SUDO k3s kubectl get node cm5-3 >/dev/null 2>&1; then");
  });

  it("uninstalls K3s with its own uninstaller, server or agent", () => {
    const script = renderUninstallScript();
    expect(script).toContain(
      "for u in /usr/local/bin/k3s-uninstall.sh /usr/local/bin/k3s-agent-uninstall.sh; do",
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

  it("rejects a bad SSH port", () => {
    expect(check({ sshPort: 0 })).toThrow("config.sshPort is 0; expected an integer port 1-65535");
  });
});
