// The code of the order-card widget as pushed to InSales (docs/protocols/insales.md §3 «Application widgets»):
// InSales shows it in an iframe on the back-office order card with `window.order_info` describing the order. It
// stays small and rarely changes: it only signs the order id with the shop's widget secret (lib/widget/
// widget-signature.ts, through the browser's Web Crypto) and loads the summary by JSONP, as the vendor's example
// does, from /api/widget/order; what the summary shows is rendered on our side (lib/widget/widget-view.ts) and
// can change without pushing new code. The style lives here because the summary's HTML uses its classes.
//
// Nothing the data says is evaluated: the JSONP answer calls our fixed callback with `{ html }`, HTML our server
// escaped. Links open in a new tab: our pages are never framed (docs/SECURITY.md «The order-card widget»).

/** Bump when the code or the style below changes: the backfill pushes it again to every shop (ShopWidget.codeVersion). */
export const WIDGET_CODE_VERSION = 1;

/** The iframe's height in px (the API's `height`; the vendor examples use 60 and 100). No width is documented. */
export const WIDGET_HEIGHT = 250;

/** The JSONP callback the code defines and the data route calls. */
export const WIDGET_CALLBACK = "imWidgetRender";

/** How we recognise our own widget among the shop's widgets (another app's are never touched). */
export function widgetMarker(appUrl: string): string {
  return `<!-- intellectmoney-insales order widget: ${appUrl} -->`;
}

/** A value as a JavaScript literal safe inside <script> (no "</script>", no U+2028/2029 surprises). */
function jsLiteral(value: string): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const STYLE = `
body{margin:0}
#im-widget{font:13px/1.4 -apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933;padding:8px 10px;height:${WIDGET_HEIGHT - 16}px;overflow:auto;box-sizing:border-box}
#im-widget h2{font-size:14px;margin:0 0 6px}
#im-widget p{margin:0 0 4px}
#im-widget ul{margin:4px 0;padding:0;list-style:none}
#im-widget li{margin:0 0 2px;color:#3e4c59}
#im-widget a{color:#0b5cad}
.im-badge{display:inline-block;padding:1px 6px;border-radius:8px;background:#e4e7eb;color:#1f2933;font-weight:600}
.im-ok{background:#d5f5e3;color:#14532d}.im-warn{background:#fff1c2;color:#5c3d00}.im-danger{background:#fde2e1;color:#8a1c1c}
.im-problem{color:#8a1c1c;font-weight:600}
.im-muted{color:#52606d}
.im-actions a{margin-right:12px;font-weight:600}
`.trim();

export type WidgetCodeInput = { appUrl: string; insalesId: string; secret: string };

/**
 * The widget's HTML. `secret` is the shop's widget secret (hex): visible to whoever can read the code in the
 * back office, and enough only to read payment summaries of this shop's orders (docs/SECURITY.md).
 */
export function widgetCode(input: WidgetCodeInput): string {
  const script = `(function(){
var APP=${jsLiteral(input.appUrl)},SHOP=${jsLiteral(input.insalesId)},KEY=${jsLiteral(input.secret)},d=document,box=d.getElementById("im-widget");
function say(t){box.textContent=t}
var info=window.order_info||{},order=String(info.id==null?"":info.id);
if(!/^[0-9]{1,20}$/.test(order)){say("Заказ не определён: данные IntellectMoney недоступны.");return}
var s=window.crypto&&window.crypto.subtle;
if(!s||!window.TextEncoder){say("Браузер не поддерживает проверку виджета IntellectMoney: откройте платёж в приложении.");return}
window.${WIDGET_CALLBACK}=function(data){box.innerHTML=data&&typeof data.html==="string"?data.html:""};
function hex(b){var a=new Uint8Array(b),o="";for(var i=0;i<a.length;i++)o+=(a[i]<16?"0":"")+a[i].toString(16);return o}
var k=new Uint8Array(KEY.length/2);for(var i=0;i<k.length;i++)k[i]=parseInt(KEY.substr(i*2,2),16);
function fail(){say("Не удалось загрузить данные IntellectMoney. Обновите страницу заказа.")}
s.importKey("raw",k,{name:"HMAC",hash:"SHA-256"},false,["sign"]).then(function(key){return s.sign("HMAC",key,new TextEncoder().encode(SHOP+":"+order))}).then(function(sig){
var el=d.createElement("script");el.onerror=fail;
el.src=APP+"/api/widget/order?shop="+encodeURIComponent(SHOP)+"&order="+order+"&sig="+hex(sig)+"&callback=${WIDGET_CALLBACK}";
(d.head||d.documentElement).appendChild(el)},fail)})();`;
  return [
    widgetMarker(input.appUrl),
    `<style>${STYLE}</style>`,
    `<div id="im-widget" role="region" aria-label="Оплата IntellectMoney" aria-live="polite">Загрузка данных IntellectMoney…</div>`,
    `<script>${script}</script>`,
  ].join("\n");
}
