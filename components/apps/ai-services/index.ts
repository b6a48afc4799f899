/**
 * The AI services of source document 001: six apps sharing one namespace, their settings
 * (./settings.ts), the stores (./stores.ts) and the LLM front ends (./llm.ts).
 */
export { etcdDefinition, natsDefinition, postgresDefinition, redisDefinition } from "./stores";
export { litellmDefinition, openWebuiDefinition } from "./llm";
