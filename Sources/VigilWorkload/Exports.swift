// The entity types live in VigilEntities so that Swift modules can share them
// through the module kit without linking the store; users of the store see them
// as before.
@_exported import VigilEntities
