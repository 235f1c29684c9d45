-- InSales URLs over https (docs/protocols/insales.md section 2 «http vs https», issue 13).
-- The payment method URLs InSales gave us (success_url, fail_url, server_url) were stored as given, and the
-- vendor examples are http. InSales redirects http to https, and a redirected POST may lose its body, so
-- every stored http URL on a shop technical host (one label under myinsales.ru, no port, no user info)
-- becomes https. Only the scheme changes. Other hosts stay as they are (a shop domain of its own may not
-- serve https, and the app follows a same-host https redirect for those at send time).
-- The pattern is the one of lib/insales/secure-url.ts (HTTP_SHOP_URL), case-insensitive there too.
-- (No semicolon or apostrophe in these comments: the migration engine splits the script on semicolons.)

UPDATE "ShopGateway"
   SET "successUrl" = CASE WHEN "successUrl" ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)'
                           THEN 'https://' || substr("successUrl", 8) ELSE "successUrl" END,
       "failUrl"    = CASE WHEN "failUrl" ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)'
                           THEN 'https://' || substr("failUrl", 8) ELSE "failUrl" END,
       "serverUrl"  = CASE WHEN "serverUrl" ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)'
                           THEN 'https://' || substr("serverUrl", 8) ELSE "serverUrl" END,
       "updatedAt"  = (now() AT TIME ZONE 'UTC')
 WHERE "successUrl" ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)'
    OR "failUrl"    ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)'
    OR "serverUrl"  ~* '^http://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru([/?#]|$)';
