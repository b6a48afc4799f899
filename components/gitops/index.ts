/** The GitOps layer: the engine-neutral delivery model, Flux, Argo CD and emit. */
export * from "./delivery";
export * from "./placement";
export * from "./fluxObjects";
export * from "./argocdObjects";
export * from "./emit";
export * from "./apply";
export * from "./engineCommon";
export * from "./flux";
export * from "./argocd";
export * from "./engine";
