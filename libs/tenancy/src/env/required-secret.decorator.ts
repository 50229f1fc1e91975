import 'reflect-metadata';
import { Sensitive } from './sensitive.decorator';

const REQUIRED_SECRETS = Symbol('wopi:required-secret-env-keys');

/**
 * Marks a secret that has no default at all, in any NODE_ENV: a default would be public (it sits
 * in this repository), and a public signing or encryption key lets anyone forge access tokens or
 * read tenant secrets. Implies @Sensitive(). loadEnv reports every unset one in one problem line.
 */
export function RequiredSecret(): PropertyDecorator {
  return (target, key) => {
    Sensitive()(target, key);
    const keys: Set<string | symbol> = Reflect.getOwnMetadata(REQUIRED_SECRETS, target) ?? new Set();
    keys.add(key);
    Reflect.defineMetadata(REQUIRED_SECRETS, keys, target);
  };
}

/** Names of the required secrets of an env class, including inherited ones, base class first. */
export function requiredSecretsOf(instance: object): string[] {
  const chain: object[] = [];
  for (
    let proto = Object.getPrototypeOf(instance);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    chain.unshift(proto);
  return chain.flatMap((proto) =>
    [...((Reflect.getOwnMetadata(REQUIRED_SECRETS, proto) as Set<string>) ?? [])].map(String),
  );
}
