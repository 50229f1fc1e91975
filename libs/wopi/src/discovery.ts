import { withoutUndefined } from './without-undefined';
import { parseXml, type XmlElement } from './xml-parser';

// WOPI discovery (online/discovery.rst): what a WOPI client can do, per net zone, app and file
// extension, and the public keys it signs requests with.

export interface DiscoveryAction {
  /** view, edit, editnew, embedview, convert, mobileView, ... (discovery.rst "WOPI actions"). */
  name: string;
  /** File extension without the dot, as published; '' on Collabora's MIME-type apps. */
  ext: string;
  progid?: string;
  /** The action URL template, placeholders included; turn it into a URL with buildActionUrl(). */
  urlsrc: string;
  /** Operation groups the action needs from the host: update, locks, ... (discovery.rst "Action requirements"). */
  requires: string[];
  /** default="true": the action to use when the user just opens a file of this extension. */
  isDefault: boolean;
  /** convert actions: the extension the converted file gets (targetext). */
  targetExt?: string;
  /** editnew actions: extension and ProgID of the new file (newext, newprogid). */
  newExt?: string;
  newProgid?: string;
}

export interface DiscoveryApp {
  /** Word, Excel, PowerPoint, WopiTest; Collabora also names apps by MIME type. */
  name: string;
  /** The favicon to use on the host page for this app (discovery.rst "Favicon URLs"). */
  favIconUrl?: string;
  /** checkLicense="true": editing needs a business-user licence check (online/scenarios/business.rst). */
  checkLicense: boolean;
  actions: DiscoveryAction[];
}

export interface DiscoveryNetZone {
  /** internal-http, internal-https, external-http or external-https. */
  name: string;
  apps: DiscoveryApp[];
}

/** The `<proof-key>` element, attributes as published (base64); see importProofKeys(). */
export interface DiscoveryProofKey {
  /** The current key as a CryptoAPI PUBLICKEYBLOB (.NET's ExportCspBlob). */
  value?: string;
  /** The current key's RSA modulus and exponent, big-endian. */
  modulus?: string;
  exponent?: string;
  oldValue?: string;
  oldModulus?: string;
  oldExponent?: string;
}

export interface WopiDiscovery {
  netZones: DiscoveryNetZone[];
  /** Absent when the client does not sign requests (e.g. Collabora without a configured key). */
  proofKey?: DiscoveryProofKey;
}

export interface FindActionQuery {
  /** File extension, with or without the leading dot, any case. */
  ext: string;
  /** Action name, exactly as discovery spells it ('view', 'edit', 'mobileView'). */
  action: string;
  /** Only look in this net zone; by default the first zone with a match, https zones first. */
  netZone?: string;
}

export interface FoundAction {
  netZone: string;
  app: DiscoveryApp;
  action: DiscoveryAction;
}

/** The document is XML, but not a WOPI discovery document. */
export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

// An https host page cannot frame an http editor (mixed content); an http one can frame either.
const NET_ZONE_PREFERENCE = ['external-https', 'internal-https', 'external-http', 'internal-http'];

/**
 * Parses a discovery document. Throws XmlSyntaxError for malformed XML and DiscoveryError when the
 * root is not `<wopi-discovery>`. Unknown elements and attributes are ignored (clients add them at
 * will); an `<action>` without name or urlsrc cannot be used and is left out.
 */
export function parseDiscovery(xml: string): WopiDiscovery {
  const root = parseXml(xml);
  if (root.name !== 'wopi-discovery') {
    throw new DiscoveryError(`discovery: the root element is <${root.name}>, not <wopi-discovery>`);
  }
  const netZones = childrenNamed(root, 'net-zone').map((zone) => ({
    name: zone.attributes.name ?? '',
    apps: childrenNamed(zone, 'app').map(toApp),
  }));
  const proofKeyElement = childrenNamed(root, 'proof-key')[0];
  return proofKeyElement === undefined ? { netZones } : { netZones, proofKey: toProofKey(proofKeyElement) };
}

/** The action for a file extension and action name, or undefined when the client offers none. */
export function findAction(discovery: WopiDiscovery, query: FindActionQuery): FoundAction | undefined {
  const ext = query.ext.replace(/^\./, '').toLowerCase();
  if (ext === '') return undefined;
  for (const zone of zonesInSearchOrder(discovery.netZones, query.netZone)) {
    for (const app of zone.apps) {
      const action = app.actions.find(
        (candidate) => candidate.name === query.action && candidate.ext.toLowerCase() === ext,
      );
      if (action !== undefined) return { netZone: zone.name, app, action };
    }
  }
  return undefined;
}

function zonesInSearchOrder(zones: DiscoveryNetZone[], only: string | undefined): DiscoveryNetZone[] {
  if (only !== undefined) return zones.filter((zone) => zone.name === only);
  const rank = (zone: DiscoveryNetZone): number => {
    const index = NET_ZONE_PREFERENCE.indexOf(zone.name);
    return index === -1 ? NET_ZONE_PREFERENCE.length : index;
  };
  // Array.prototype.sort is stable: zones of equal rank keep document order.
  return [...zones].sort((a, b) => rank(a) - rank(b));
}

function toApp(app: XmlElement): DiscoveryApp {
  const actions: DiscoveryAction[] = [];
  for (const element of childrenNamed(app, 'action')) {
    const { name, urlsrc } = element.attributes;
    if (name === undefined || urlsrc === undefined) continue;
    actions.push(
      withoutUndefined({
        name,
        ext: element.attributes.ext ?? '',
        progid: element.attributes.progid,
        urlsrc,
        requires: (element.attributes.requires ?? '')
          .split(',')
          .map((requirement) => requirement.trim())
          .filter((requirement) => requirement !== ''),
        isDefault: isTrue(element.attributes.default),
        targetExt: element.attributes.targetext,
        newExt: element.attributes.newext,
        newProgid: element.attributes.newprogid,
      }),
    );
  }
  return withoutUndefined({
    name: app.attributes.name ?? '',
    favIconUrl: app.attributes.favIconUrl,
    checkLicense: isTrue(app.attributes.checkLicense),
    actions,
  });
}

function toProofKey(element: XmlElement): DiscoveryProofKey {
  const { value, modulus, exponent, oldvalue, oldmodulus, oldexponent } = element.attributes;
  return withoutUndefined({
    value,
    modulus,
    exponent,
    oldValue: oldvalue,
    oldModulus: oldmodulus,
    oldExponent: oldexponent,
  });
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

function isTrue(attribute: string | undefined): boolean {
  return attribute?.toLowerCase() === 'true';
}
