// The GraphQL documents the workbench sends: all of them are public API (docs/graphql.md).

const NODE = `fragment WorkbenchNode on GraphNode {
  id kind label depth
  party { creditReport { seriousDishonesty redListed measures } }
}`;

const EDGE = `fragment WorkbenchEdge on GraphEdge {
  id source target type label stakePct role since until active inferred
  provenance { srcKind srcFile srcRow loadId }
}`;

export const SEARCH = `query WorkbenchSearch($text: String!, $kind: PartyKind, $district: String,
    $orgKind: String, $hasActiveMeasure: Boolean, $after: String) {
  searchParties(text: $text, kind: $kind, district: $district, orgKind: $orgKind,
                hasActiveMeasure: $hasActiveMeasure, first: 20, after: $after) {
    __typename
    ... on InvalidInputError { argument message }
    ... on SearchHitConnection {
      pageInfo { hasNextPage endCursor }
      nodes {
        score
        party {
          __typename id name kind districtCode
          creditReport { headline seriousDishonesty redListed }
          ... on Company { orgKind status }
        }
      }
    }
  }
}`;

export const PARTY_CARD = `query WorkbenchParty($id: String!) {
  party(id: $id) {
    __typename
    ... on InvalidInputError { argument message }
    ... on Party {
      id kind name districtCode knownOnlyFrom riskScore measuresDate
      provenance { srcKind srcFile srcRow loadId loadedAt }
      creditReport {
        asOf headline seriousDishonesty redListed activeRecords inactiveRecords caseCount
        briberyConvictions measures activeByKind { kind count }
        decisions { context decision }
      }
      measures {
        key measure origin rule basis until explanation
        recordRef recordKind authority recordStart recordEnd
        path { partyId name relation stakePct role }
      }
      cases(first: 20) { totalCount nodes { role case { caseNo caseType cause filedOn } } }
    }
    ... on Company {
      uscc orgKind status registeredCapitalCny establishedOn address industry legalRepName
      legalRepresentative { id name }
    }
    ... on NaturalPerson { idNumber gender birthDate }
  }
}`;

export const RECORDS = `query WorkbenchRecords($id: String!, $after: String) {
  party(id: $id) {
    __typename
    ... on Party {
      records(state: ALL, first: 20, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          key kind ref start end status voidedOn active authority list category severity
          updates { status effectiveOn reason authority }
          provenance { srcKind srcFile srcRow loadId loadedAt }
        }
      }
    }
  }
}`;

export const NEIGHBOURS = `query WorkbenchNeighbours($id: String!, $types: [RelationType!],
    $activeOn: Date, $depth: Int!, $maxNodes: Int!) {
  party(id: $id) {
    __typename
    ... on InvalidInputError { argument message }
    ... on Party {
      neighbours(types: $types, depth: $depth, activeOn: $activeOn, maxNodes: $maxNodes) {
        __typename
        ... on InvalidInputError { argument message }
        ... on GraphView { truncated asOf nodes { ...WorkbenchNode } edges { ...WorkbenchEdge } }
      }
    }
  }
}
${NODE}
${EDGE}`;

// How many ties of each type a party has: the hub guard asks before drawing anything.
export const TIE_COUNTS = `query WorkbenchTieCounts($id: String!, $activeOn: Date) {
  party(id: $id) {
    __typename
    ... on Party { id name tieCounts(activeOn: $activeOn) { type direction count } }
  }
}`;

export const PATHS = `query WorkbenchPaths($id: String!, $to: String!, $types: [RelationType!],
    $activeOn: Date) {
  party(id: $id) {
    __typename
    ... on InvalidInputError { argument message }
    ... on Party {
      paths(to: $to, maxHops: 6, types: $types, activeOn: $activeOn) {
        __typename
        ... on InvalidInputError { argument message }
        ... on Connections {
          length truncated
          paths { length inferred nodes { id label } edges { id } }
          view { nodes { ...WorkbenchNode } edges { ...WorkbenchEdge } }
        }
      }
    }
  }
}
${NODE}
${EDGE}`;

export const OWNERSHIP = `query WorkbenchOwnership($id: String!, $direction: OwnershipDirection!,
    $depth: Int!, $activeOn: Date) {
  party(id: $id) {
    __typename
    ... on InvalidInputError { argument message }
    ... on Party {
      id name kind
      ownershipTree(direction: $direction, depth: $depth, activeOn: $activeOn) {
        __typename
        ... on InvalidInputError { argument message }
        ... on OwnershipTree {
          asOf truncated direction
          entries { parentId depth stakePct effectivePct chain party { __typename id name } }
          effective { effectivePct chains party { __typename id name } }
        }
      }
    }
    ... on Company {
      actualControllers(activeOn: $activeOn) {
        ultimate
        party { __typename id name }
        chains { relations stakePct controller { id name } controlled { id name } }
      }
    }
  }
}`;

export const CASE = `query WorkbenchCase($caseNo: String!, $first: Int!) {
  case(caseNo: $caseNo) {
    __typename
    ... on InvalidInputError { argument message }
    ... on Case {
      caseNo caseType cause filedOn closedOn courtName knownOnlyFrom
      provenance { srcKind srcFile srcRow loadId }
      court { __typename id name }
      parties(first: $first) { totalCount nodes { role party { __typename id name } } }
      officials(first: $first) { totalCount nodes { role official { __typename id name } } }
      interventions(first: $first) {
        totalCount
        nodes {
          kind occurredOn description recordNo
          official { __typename id name }
          provenance { srcKind srcFile srcRow }
        }
      }
      records(state: ALL, first: 20) {
        totalCount
        nodes { kind ref start end status active authority }
      }
    }
  }
}`;

export const PARTY_KINDS = `query WorkbenchKinds($ids: [String!]!) {
  parties(ids: $ids) {
    __typename
    ... on PartyList { parties { __typename id name } }
  }
}`;
