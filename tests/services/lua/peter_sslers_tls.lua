-- ssl_certificate_by_lua: serve the SNI name's certificate from the Redis that peter_sslers primed.
--
-- Reads the shapes of /work/shared/spec/openresty-contract.md, like lua-resty-peter_sslers 0.5:
--   prime style 2: HASH d2:{name} f = fullchain PEM, p = private key PEM
--   prime style 1: HASH d1:{name} c/p/i = ids; fullchain = GET c:{c} .. "\n" .. GET i:{i}, key = GET p:{p}
-- A name Redis does not know keeps the server's own ssl_certificate (the fallback).
-- Uses Debian's lua-nginx-redis (`nginx.redis`) and lua-resty-core's `ngx.ssl`.
--
--   ssl_certificate_by_lua_block {
--       require("peter_sslers_tls").serve({host = "127.0.0.1", port = 6379, db = 9, style = 2})
--   }

local ssl = require "ngx.ssl"
local redis = require "nginx.redis"

local null = ngx.null

local _M = {}

local function any_null(values, count)
    for i = 1, count do
        if values[i] == nil or values[i] == null then
            return true
        end
    end
    return false
end

-- (fullchain PEM, key PEM) or (nil, nil, reason)
local function fetch(red, style, name)
    if style == 2 then
        local res, err = red:hmget("d2:" .. name, "f", "p")
        if not res then
            return nil, nil, err
        end
        if any_null(res, 2) then
            return nil, nil, "no d2:" .. name
        end
        return res[1], res[2]
    end
    local ids, err = red:hmget("d1:" .. name, "c", "p", "i")
    if not ids then
        return nil, nil, err
    end
    if any_null(ids, 3) then
        return nil, nil, "no d1:" .. name
    end
    local parts = {}
    for i, prefix in ipairs({"c:", "p:", "i:"}) do
        local value, get_err = red:get(prefix .. ids[i])
        if not value then
            return nil, nil, get_err
        end
        if value == null then
            return nil, nil, "no " .. prefix .. ids[i]
        end
        parts[i] = value
    end
    return parts[1] .. "\n" .. parts[3], parts[2]
end

function _M.serve(opts)
    local name = ssl.server_name()
    if not name then
        ngx.log(ngx.NOTICE, "peter_sslers_tls: no SNI, fallback certificate")
        return
    end
    local red = redis:new()
    red:set_timeout(opts.timeout or 2000)
    local ok, err = red:connect(opts.host, opts.port)
    if not ok then
        ngx.log(ngx.ERR, "peter_sslers_tls: redis connect: ", err)
        return
    end
    if opts.db then
        ok, err = red:select(opts.db)
        if not ok then
            ngx.log(ngx.ERR, "peter_sslers_tls: redis select: ", err)
            red:close()
            return
        end
    end
    local style = tonumber(opts.style) or 2
    local fullchain, key
    fullchain, key, err = fetch(red, style, name)
    red:close()  -- no keepalive: servers on other databases would share a pooled SELECT
    if not fullchain then
        ngx.log(ngx.NOTICE, "peter_sslers_tls: ", name, ": ", err, ": fallback certificate")
        return
    end
    local cert_der, cert_err = ssl.cert_pem_to_der(fullchain)
    local key_der, key_err = ssl.priv_key_pem_to_der(key)
    if not cert_der or not key_der then
        ngx.log(ngx.ERR, "peter_sslers_tls: ", name, ": bad PEM: ", cert_err or key_err)
        return
    end
    ok, err = ssl.clear_certs()
    if ok then
        ok, err = ssl.set_der_cert(cert_der)
    end
    if ok then
        ok, err = ssl.set_der_priv_key(key_der)
    end
    if not ok then
        ngx.log(ngx.ERR, "peter_sslers_tls: ", name, ": ", err)
        return ngx.exit(ngx.ERROR)
    end
    ngx.log(ngx.NOTICE, "peter_sslers_tls: served ", name, " from d", style, ":")
end

return _M
