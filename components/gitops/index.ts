/** The GitOps layer: the engine-neutral delivery model, Flux, Argo CD and emit. */
export * from "./delivery";
export * from "./graph";
export * from "./placement";
export * from "./handover";
export * from "./fluxObjects";
export * from "./fluxPlacement";
export * from "./fluxTenancy";
export * from "./argocdObjects";
export * from "./argocdPlacement";
export * from "./emit";
export * from "./apply";
export * from "./engineCommon";
export * from "./flux";
export * from "./argocd";
export * from "./engine";
export * from "./needs";
