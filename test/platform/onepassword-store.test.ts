import { CONNECT_SERVICE, isInClusterConnect } from "../../components/platform/onepassword-operator/settings";

describe("the in-cluster 1Password Connect Service", () => {
  it.each([
    "http://onepassword-connect:8080",
    "http://onepassword-connect.onepassword-system:8080",
    "http://onepassword-connect.onepassword-system.svc:8080",
    "https://onepassword-connect.onepassword-system.svc.cluster.local:8443",
  ])("recognises %s", (host) => {
    expect(isInClusterConnect(host, "onepassword-system")).toBe(true);
  });

  it.each([
    "https://connect.example.org",
    "http://onepassword-connect.other-namespace.svc:8080",
    "http://my-onepassword-connect.onepassword-system.svc:8080",
  ])("leaves %s to the user (a Connect server elsewhere)", (host) => {
    expect(isInClusterConnect(host, "onepassword-system")).toBe(false);
  });

  it("is the chart's connect.applicationName default", () => {
    expect(CONNECT_SERVICE).toBe("onepassword-connect");
  });
});
