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
          "Campaign": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
            "kind": {"type": "string"}, "status": {"type": "string"}, "calls_per_minute": {"type": "number"},
            "max_concurrent": {"type": "integer"}, "max_attempts": {"type": "integer"}}}
        }
      },
      "security": [{"bearer": []}],
      "paths": {
        "/v1/health": {"get": {"security": [], "responses": {"200": {"description": "the service runs"}}}},
        "/v1/campaigns": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewCampaign"}}}},
          "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Campaign"}}}},
                        "400": {"description": "bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "401": {"description": "no valid token"}}}},
        "/v1/campaigns/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "the campaign"}, "404": {"description": "unknown id"}}}}
      }
    }
    """
}
