import { ContentType, ooxmlPackage, RelationshipType, relationshipsXml } from './ooxml-package';
import { SampleContext } from './sample-context';
import { escapeXml, XML_DECLARATION } from './xml';

const NAMESPACES =
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"' +
  ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' +
  ' xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
const A_NS = 'http://schemas.openxmlformats.org/drawingml/2006/main';
const TITLE = 'Roadmap';
const SUBTITLE_LINES = ['Q1: pilot with two teams', 'Q2: co-authoring', 'Q3: general availability'];
// Slide master IDs start at 2^31 and layout IDs must be unique above them (ECMA-376 19.2.1.34).
const SLIDE_MASTER_ID = 2147483648;
const SLIDE_LAYOUT_ID = 2147483649;
// Slide IDs start at 256 (ST_SlideId).
const SLIDE_ID = 256;
// 16:9 in EMU (914400 per inch): 13.333 in x 7.5 in.
const SLIDE_WIDTH = 12192000;
const SLIDE_HEIGHT = 6858000;

/**
 * A minimal PresentationML package: one slide on one title layout, master and theme. PowerPoint
 * insists on the master, layout and a complete theme even for a single slide.
 */
export function buildRoadmapPptx(context: SampleContext): Buffer {
  return ooxmlPackage({
    mainPart: 'ppt/presentation.xml',
    title: TITLE,
    context,
    contentTypes: {
      '/ppt/presentation.xml': ContentType.Presentation,
      '/ppt/slideMasters/slideMaster1.xml': ContentType.SlideMaster,
      '/ppt/slideLayouts/slideLayout1.xml': ContentType.SlideLayout,
      '/ppt/slides/slide1.xml': ContentType.Slide,
      '/ppt/theme/theme1.xml': ContentType.Theme,
      '/ppt/presProps.xml': ContentType.PresProps,
      '/ppt/viewProps.xml': ContentType.ViewProps,
      '/ppt/tableStyles.xml': ContentType.TableStyles,
    },
    parts: [
      { name: 'ppt/presentation.xml', data: presentationXml() },
      {
        name: 'ppt/_rels/presentation.xml.rels',
        data: relationshipsXml([
          { id: 'rId1', type: RelationshipType.SlideMaster, target: 'slideMasters/slideMaster1.xml' },
          { id: 'rId2', type: RelationshipType.Slide, target: 'slides/slide1.xml' },
          { id: 'rId3', type: RelationshipType.PresProps, target: 'presProps.xml' },
          { id: 'rId4', type: RelationshipType.ViewProps, target: 'viewProps.xml' },
          { id: 'rId5', type: RelationshipType.Theme, target: 'theme/theme1.xml' },
          { id: 'rId6', type: RelationshipType.TableStyles, target: 'tableStyles.xml' },
        ]),
      },
      { name: 'ppt/slideMasters/slideMaster1.xml', data: slideMasterXml() },
      {
        name: 'ppt/slideMasters/_rels/slideMaster1.xml.rels',
        data: relationshipsXml([
          { id: 'rId1', type: RelationshipType.SlideLayout, target: '../slideLayouts/slideLayout1.xml' },
          { id: 'rId2', type: RelationshipType.Theme, target: '../theme/theme1.xml' },
        ]),
      },
      { name: 'ppt/slideLayouts/slideLayout1.xml', data: slideLayoutXml() },
      {
        name: 'ppt/slideLayouts/_rels/slideLayout1.xml.rels',
        data: relationshipsXml([
          { id: 'rId1', type: RelationshipType.SlideMaster, target: '../slideMasters/slideMaster1.xml' },
        ]),
      },
      { name: 'ppt/slides/slide1.xml', data: slideXml() },
      {
        name: 'ppt/slides/_rels/slide1.xml.rels',
        data: relationshipsXml([
          { id: 'rId1', type: RelationshipType.SlideLayout, target: '../slideLayouts/slideLayout1.xml' },
        ]),
      },
      { name: 'ppt/theme/theme1.xml', data: themeXml() },
      { name: 'ppt/presProps.xml', data: `${XML_DECLARATION}<p:presentationPr ${NAMESPACES}/>` },
      { name: 'ppt/viewProps.xml', data: `${XML_DECLARATION}<p:viewPr ${NAMESPACES}/>` },
      {
        name: 'ppt/tableStyles.xml',
        // The GUID names PowerPoint's built-in "Medium Style 2 - Accent 1", its usual default.
        data: `${XML_DECLARATION}<a:tblStyleLst xmlns:a="${A_NS}" def="{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"/>`,
      },
    ],
  });
}

function presentationXml(): string {
  return (
    XML_DECLARATION +
    `<p:presentation ${NAMESPACES} saveSubsetFonts="1">` +
    `<p:sldMasterIdLst><p:sldMasterId id="${SLIDE_MASTER_ID}" r:id="rId1"/></p:sldMasterIdLst>` +
    `<p:sldIdLst><p:sldId id="${SLIDE_ID}" r:id="rId2"/></p:sldIdLst>` +
    `<p:sldSz cx="${SLIDE_WIDTH}" cy="${SLIDE_HEIGHT}"/>` +
    '<p:notesSz cx="6858000" cy="9144000"/>' +
    '</p:presentation>'
  );
}

const GROUP_SHAPE_PROPERTIES =
  '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>' +
  '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>';

interface Placeholder {
  id: number;
  name: string;
  /** The `<p:ph>` attributes, e.g. `type="ctrTitle"`. */
  ph: string;
  /** Position and size in EMU; omitted on slides, which inherit them from the layout. */
  frame?: { x: number; y: number; cx: number; cy: number };
  bodyProperties?: string;
  listStyle?: string;
  paragraphs: readonly string[];
}

function placeholderShape(shape: Placeholder): string {
  const frame = shape.frame
    ? `<p:spPr><a:xfrm><a:off x="${shape.frame.x}" y="${shape.frame.y}"/><a:ext cx="${shape.frame.cx}" cy="${shape.frame.cy}"/></a:xfrm>` +
      '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
    : '<p:spPr/>';
  const paragraphs = shape.paragraphs
    .map((text) => `<a:p><a:r><a:rPr lang="en-US" dirty="0"/><a:t>${escapeXml(text)}</a:t></a:r></a:p>`)
    .join('');
  return (
    '<p:sp>' +
    `<p:nvSpPr><p:cNvPr id="${shape.id}" name="${escapeXml(shape.name)}"/>` +
    `<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph ${shape.ph}/></p:nvPr></p:nvSpPr>` +
    frame +
    `<p:txBody>${shape.bodyProperties ?? '<a:bodyPr/>'}${shape.listStyle ?? '<a:lstStyle/>'}${paragraphs}</p:txBody>` +
    '</p:sp>'
  );
}

function defaultRunProperties(size: number, font: 'mj' | 'mn'): string {
  return (
    `<a:defRPr sz="${size}" kern="1200"><a:solidFill><a:schemeClr val="tx1"/></a:solidFill>` +
    `<a:latin typeface="+${font}-lt"/><a:ea typeface="+${font}-ea"/><a:cs typeface="+${font}-cs"/></a:defRPr>`
  );
}

function slideMasterXml(): string {
  const shapes =
    placeholderShape({
      id: 2,
      name: 'Title Placeholder 1',
      ph: 'type="title"',
      frame: { x: 838200, y: 365125, cx: 10515600, cy: 1325563 },
      bodyProperties: '<a:bodyPr vert="horz" lIns="91440" tIns="45720" rIns="91440" bIns="45720" anchor="ctr"/>',
      paragraphs: ['Click to edit Master title style'],
    }) +
    placeholderShape({
      id: 3,
      name: 'Text Placeholder 2',
      ph: 'type="body" idx="1"',
      frame: { x: 838200, y: 1825625, cx: 10515600, cy: 4351338 },
      bodyProperties: '<a:bodyPr vert="horz" lIns="91440" tIns="45720" rIns="91440" bIns="45720"/>',
      paragraphs: ['Click to edit Master text styles'],
    });
  return (
    XML_DECLARATION +
    `<p:sldMaster ${NAMESPACES}>` +
    '<p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/></p:bgRef></p:bg>' +
    `<p:spTree>${GROUP_SHAPE_PROPERTIES}${shapes}</p:spTree></p:cSld>` +
    '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3"' +
    ' accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>' +
    `<p:sldLayoutIdLst><p:sldLayoutId id="${SLIDE_LAYOUT_ID}" r:id="rId1"/></p:sldLayoutIdLst>` +
    '<p:txStyles>' +
    `<p:titleStyle><a:lvl1pPr algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">` +
    `${defaultRunProperties(4400, 'mj')}</a:lvl1pPr></p:titleStyle>` +
    '<p:bodyStyle><a:lvl1pPr marL="228600" indent="-228600" algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">' +
    `<a:buFont typeface="Arial"/><a:buChar char="&#8226;"/>${defaultRunProperties(2800, 'mn')}</a:lvl1pPr></p:bodyStyle>` +
    '<p:otherStyle><a:defPPr><a:defRPr lang="en-US"/></a:defPPr>' +
    `<a:lvl1pPr marL="0" algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">` +
    `${defaultRunProperties(1800, 'mn')}</a:lvl1pPr></p:otherStyle>` +
    '</p:txStyles>' +
    '</p:sldMaster>'
  );
}

function slideLayoutXml(): string {
  const shapes =
    placeholderShape({
      id: 2,
      name: 'Title 1',
      ph: 'type="ctrTitle"',
      frame: { x: 1524000, y: 1122363, cx: 9144000, cy: 2387600 },
      bodyProperties: '<a:bodyPr anchor="b"/>',
      listStyle: '<a:lstStyle><a:lvl1pPr algn="ctr"><a:defRPr sz="6000"/></a:lvl1pPr></a:lstStyle>',
      paragraphs: ['Click to edit Master title style'],
    }) +
    placeholderShape({
      id: 3,
      name: 'Subtitle 2',
      ph: 'type="subTitle" idx="1"',
      frame: { x: 1524000, y: 3602038, cx: 9144000, cy: 1655762 },
      listStyle:
        '<a:lstStyle><a:lvl1pPr marL="0" indent="0" algn="ctr"><a:buNone/><a:defRPr sz="2400"/></a:lvl1pPr></a:lstStyle>',
      paragraphs: ['Click to edit Master subtitle style'],
    });
  return (
    XML_DECLARATION +
    `<p:sldLayout ${NAMESPACES} type="title" preserve="1">` +
    `<p:cSld name="Title Slide"><p:spTree>${GROUP_SHAPE_PROPERTIES}${shapes}</p:spTree></p:cSld>` +
    '<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>' +
    '</p:sldLayout>'
  );
}

function slideXml(): string {
  const shapes =
    placeholderShape({ id: 2, name: 'Title 1', ph: 'type="ctrTitle"', paragraphs: [TITLE] }) +
    placeholderShape({ id: 3, name: 'Subtitle 2', ph: 'type="subTitle" idx="1"', paragraphs: SUBTITLE_LINES });
  return (
    XML_DECLARATION +
    `<p:sld ${NAMESPACES}>` +
    `<p:cSld><p:spTree>${GROUP_SHAPE_PROPERTIES}${shapes}</p:spTree></p:cSld>` +
    '<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>' +
    '</p:sld>'
  );
}

// A theme needs all twelve colours, both font sets and exactly three entries in each of the
// four format-style lists (ECMA-376 20.1.4.1.14); PowerPoint refuses the file otherwise.
function themeXml(): string {
  const colour = (name: string, rgb: string) => `<a:${name}><a:srgbClr val="${rgb}"/></a:${name}>`;
  const fill = (modifier = '') =>
    modifier
      ? `<a:solidFill><a:schemeClr val="phClr">${modifier}</a:schemeClr></a:solidFill>`
      : '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>';
  const line = (width: number) =>
    `<a:ln w="${width}" cap="flat" cmpd="sng" algn="ctr">${fill()}<a:prstDash val="solid"/><a:miter lim="800000"/></a:ln>`;
  const fonts = (latin: string) => `<a:latin typeface="${latin}"/><a:ea typeface=""/><a:cs typeface=""/>`;
  return (
    XML_DECLARATION +
    `<a:theme xmlns:a="${A_NS}" name="Office Theme"><a:themeElements>` +
    '<a:clrScheme name="Office">' +
    '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>' +
    '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>' +
    colour('dk2', '44546A') +
    colour('lt2', 'E7E6E6') +
    colour('accent1', '4472C4') +
    colour('accent2', 'ED7D31') +
    colour('accent3', 'A5A5A5') +
    colour('accent4', 'FFC000') +
    colour('accent5', '5B9BD5') +
    colour('accent6', '70AD47') +
    colour('hlink', '0563C1') +
    colour('folHlink', '954F72') +
    '</a:clrScheme>' +
    `<a:fontScheme name="Office"><a:majorFont>${fonts('Calibri Light')}</a:majorFont>` +
    `<a:minorFont>${fonts('Calibri')}</a:minorFont></a:fontScheme>` +
    '<a:fmtScheme name="Office">' +
    `<a:fillStyleLst>${fill()}${fill('<a:tint val="50000"/>')}${fill('<a:shade val="80000"/>')}</a:fillStyleLst>` +
    `<a:lnStyleLst>${line(6350)}${line(12700)}${line(19050)}</a:lnStyleLst>` +
    '<a:effectStyleLst>' +
    '<a:effectStyle><a:effectLst/></a:effectStyle>'.repeat(3) +
    '</a:effectStyleLst>' +
    `<a:bgFillStyleLst>${fill()}${fill('<a:tint val="95000"/>')}${fill('<a:shade val="90000"/>')}</a:bgFillStyleLst>` +
    '</a:fmtScheme>' +
    '</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>'
  );
}
