import type { TenantFeatures } from '@wopi/tenancy';
import type { ActionUrlPlaceholder } from '@wopi/wopi';

export interface ActionUrlValuesInput {
  /** The WOPI action being launched (view, edit, editnew, convert, embedview). */
  action: string;
  /** BCP 47 language of the user, e.g. "de-DE"; absent lets the client use the browser's. */
  locale?: string;
  features: TenantFeatures;
  /** The profile's behaviour switches (`disableChat`). */
  behaviour: Record<string, unknown>;
  /** The gateway's editor-session id. */
  sessionId: string;
}

/**
 * What the gateway puts into a discovery urlsrc's placeholders (discovery.rst "Placeholder values");
 * buildActionUrl() removes every placeholder left without a value, as the spec requires.
 */
export function actionUrlValues(input: ActionUrlValuesInput): Partial<Record<ActionUrlPlaceholder, string>> {
  const values: Partial<Record<ActionUrlPlaceholder, string>> = {
    // "This value can be passed by hosts to associate an Office session with a host session
    // identifier": lets a client's support team and ours find one session in both logs.
    HOST_SESSION_ID: input.sessionId,
  };
  if (input.locale) {
    // UI language, and the language of data calculation, which "typically should be the same".
    values.UI_LLCC = input.locale;
    values.DC_LLCC = input.locale;
  }
  // business.rst: "This parameter must always be on the action URL for business users", on every
  // action that has the placeholder (view included).
  if (input.features.businessUserFlow) values.BUSINESS_USER = '1';
  // In-document chat talks to co-authors: pointless where co-authoring is off, or switched off by the profile.
  if (!input.features.coauthoring || input.behaviour.disableChat === true) values.DISABLE_CHAT = '1';
  // "set to true to indicate that the output of the action will be embedded in a web page".
  if (input.action === 'embedview') values.EMBEDDED = 'true';
  return values;
}
