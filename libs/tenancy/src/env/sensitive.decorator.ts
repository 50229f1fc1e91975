import 'reflect-metadata';

const SENSITIVE_KEYS = Symbol('wopi:sensitive-env-keys');

/** Marks an env variable as a secret: it is masked wherever the parsed config is logged. */
export function Sensitive(): PropertyDecorator {
  return (target, key) => {
    const keys: Set<string | symbol> = Reflect.getOwnMetadata(SENSITIVE_KEYS, target) ?? new Set();
    keys.add(key);
    Reflect.defineMetadata(SENSITIVE_KEYS, keys, target);
  };
}

/** Names of the sensitive variables of an env class, including inherited ones. */
export function sensitiveKeysOf(instance: object): Set<string> {
  const keys = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(instance);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const own: Set<string | symbol> | undefined = Reflect.getOwnMetadata(SENSITIVE_KEYS, proto);
    own?.forEach((k) => keys.add(String(k)));
  }
  return keys;
}
