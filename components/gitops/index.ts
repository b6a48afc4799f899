/** The GitOps layer: the engine-neutral delivery model, Flux, Argo CD and emit. */
export * from "./delivery";
export * from "./graph";
export * from "./placement";
export * from "./handover";
export * from "./flux-objects";
export * from "./flux-placement";
export * from "./flux-tenancy";
export * from "./argocd-objects";
export * from "./argocd-placement";
export * from "./emit";
export * from "./apply";
export * from "./engine-common";
export * from "./flux";
export * from "./argocd";
export * from "./engine";
export * from "./needs";
