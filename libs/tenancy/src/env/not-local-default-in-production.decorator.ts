import { registerDecorator, type ValidationArguments } from 'class-validator';

/** Refuses a secret's public local default when NODE_ENV=production. */
export function NotLocalDefaultInProduction(localDefault: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notLocalDefaultInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          (args.object as { NODE_ENV?: string }).NODE_ENV !== 'production' || value !== localDefault,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be set in production (the local default is public)`,
      },
    });
}
