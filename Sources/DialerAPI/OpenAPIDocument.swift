/// The OpenAPI 3.1 description of the routes that exist, served at `/openapi.json`.
enum OpenAPIDocument {
    static let json = """
    {
      "openapi": "3.1.0",
      "info": {"title": "sipdial", "version": "0.1.0"},
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
          "Error": {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}},
          "NewCampaign": {"type": "object", "required": ["name", "calls_per_minute", "max_concurrent"], "properties": {
            "name": {"type": "string"}, "kind": {"type": "string", "enum": ["announcement", "ivr", "survey", "otp", "fax"]},
            "calls_per_minute": {"type": "number"}, "max_concurrent": {"type": "integer"}, "max_attempts": {"type": "integer"}}},
          "Trunk": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "host": {"type": "string"},
            "port": {"type": "integer"}, "transport": {"type": "string", "enum": ["udp", "tcp", "tls"]}, "username": {"type": "string"},
            "password": {"type": "string", "writeOnly": true}, "has_password": {"type": "boolean", "readOnly": true},
            "register": {"type": "boolean"}, "register_expires": {"type": "integer"}, "from_user": {"type": "string"},
            "from_domain": {"type": "string"}, "caller_id": {"type": "string"}, "strip_prefix": {"type": "string"},
            "add_prefix": {"type": "string"}, "codecs": {"type": "array", "items": {"type": "string", "enum": ["pcmu", "pcma", "opus"]}},
            "max_concurrent": {"type": "integer"}, "max_calls_per_second": {"type": "number"}, "weight": {"type": "integer"},
            "failover_order": {"type": "integer"}}},
          "Campaign": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
            "kind": {"type": "string"}, "status": {"type": "string"}, "calls_per_minute": {"type": "number"},
            "max_concurrent": {"type": "integer"}, "max_attempts": {"type": "integer"}}}
        }
      },
      "security": [{"bearer": []}],
      "paths": {
        "/v1/health": {"get": {"security": [], "responses": {"200": {"description": "the service runs"}}}},
        "/v1/campaigns/{id}/{action}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "action", "in": "path", "required": true, "schema": {"type": "string", "enum": ["start", "pause", "resume", "stop"]}}],
          "post": {"responses": {"200": {"description": "the campaign in its new status"}, "404": {"description": "unknown id"},
                                 "409": {"description": "not allowed from the current status (invalid_state)"}}}},
        "/v1/campaigns": {"get": {"responses": {"200": {"description": "every campaign, newest first"}}},
          "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewCampaign"}}}},
          "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Campaign"}}}},
                        "400": {"description": "bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "401": {"description": "no valid token"}}}},
        "/v1/trunks": {
          "get": {"responses": {"200": {"description": "all trunks, by failover order then name"}}},
          "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Trunk"}}}},
            "responses": {"201": {"description": "created"}, "400": {"description": "bad input"}, "409": {"description": "the name is taken"}}}},
        "/v1/trunks/{id}": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"responses": {"200": {"description": "the trunk"}, "404": {"description": "unknown id"}}},
          "patch": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Trunk"}}}},
            "responses": {"200": {"description": "updated; fields not sent keep their values"}, "400": {"description": "bad input"}, "404": {"description": "unknown id"}}},
          "delete": {"responses": {"204": {"description": "deleted"}, "404": {"description": "unknown id"}}}},
        "/v1/lists": {
          "get": {"responses": {"200": {"description": "all contact lists with their contact counts"}}},
          "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
            "responses": {"201": {"description": "created"}, "400": {"description": "bad input"}}}},
        "/v1/lists/{id}": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"responses": {"200": {"description": "the list and its contact count"}, "404": {"description": "unknown id"}}},
          "delete": {"responses": {"204": {"description": "deleted with its contacts"}, "404": {"description": "unknown id"}}}},
        "/v1/lists/{id}/contacts": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                                 {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "a page of contacts in the order added, and next_cursor unless it is the last"}}},
          "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"contacts": {"type": "array", "items": {"type": "object",
            "properties": {"phone": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"}, "email": {"type": "string"},
                           "time_zone": {"type": "string"}, "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}},
            "responses": {"200": {"description": "imported count and the rows refused, each with its index and field"}}}},
        "/v1/lists/{id}/contacts.csv": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "post": {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "imported count and the rows refused, each with its line number and field"}, "400": {"description": "no header line with a phone column, or an unclosed quote"}}}},
        "/v1/campaigns/{id}/calls": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "dialing", "done"]}},
                                 {"name": "limit", "in": "query", "schema": {"type": "integer"}}, {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "a page of the campaign's calls in the order queued"}}},
          "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"calls": {"type": "array", "items": {"type": "object",
            "properties": {"phone": {"type": "string"}, "priority": {"type": "integer"}, "originate_at": {"type": "string", "format": "date-time"}}}}}}}}},
            "responses": {"200": {"description": "queued count and the rows refused"}, "404": {"description": "unknown campaign"}}}},
        "/v1/campaigns/{id}/lists": {
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["list_id"], "properties": {
            "list_id": {"type": "string"}, "priority": {"type": "integer"}, "originate_at": {"type": "string", "format": "date-time"}}}}}},
            "responses": {"200": {"description": "how many contacts were queued"}, "404": {"description": "unknown campaign or list"}}}},
        "/v1/dnd": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
          "responses": {"201": {"description": "created"}, "400": {"description": "bad input"}}}},
        "/v1/dnd/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"responses": {"200": {"description": "the list and its number count"}, "404": {"description": "unknown id"}}}},
        "/v1/dnd/{id}/numbers": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"numbers": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": {"200": {"description": "how many were new, and the numbers refused"}}}},
        "/v1/dnd/{id}/numbers/{phone}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                                                        {"name": "phone", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"responses": {"200": {"description": "whether the number is on the list"}, "400": {"description": "not a phone number"}}},
          "delete": {"responses": {"204": {"description": "removed"}, "404": {"description": "not on the list"}}}},
        "/v1/campaigns/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "the campaign"}, "404": {"description": "unknown id"}}}}
      }
    }
    """
}
