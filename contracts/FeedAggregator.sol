// SPDX-License-Identifier: MIT
pragma solidity ^0.8.10;

/// A Chainlink-shaped price aggregator for keeper's devnet. Answers arrive as on mainnet's
/// OCR2Aggregator, through `transmit` with a report of sorted observations whose median becomes
/// the answer, or through the owner's `updateAnswer`; both emit the events a real aggregator
/// emits, so keeper follows the mainnet path (pending `transmit` in the mempool, then the logs).
/// Storage layout (for tests that write a price straight into storage, with no event):
///   slot 0: owner, slot 1: latestAnswer (int256), slot 2: latestTimestamp, slot 3: latestRound.
/// Later state is only ever appended after the slots above.
contract FeedAggregator {
  address public owner;
  int256 public latestAnswer;
  uint256 public latestTimestamp;
  uint256 public latestRound;
  uint8 public immutable decimals;
  string public description;

  mapping(uint256 => int256) private answers;
  mapping(uint256 => uint256) private timestamps;

  // OCR2 state, appended. The devnet has no oracle network: its one transmitter is the owner,
  // and reports carry no signatures that anything checks (rs and ss are only length-checked).
  address public transmitter;
  // (epoch << 8) | round of the latest accepted report: a report must be newer to be accepted.
  uint40 private latestEpochAndRound;
  bytes32 private latestConfigDigest;
  uint32 private latestConfigBlockNumber;
  // When a round's observations were made off chain (OCR2's startedAt).
  mapping(uint256 => uint256) private startedAts;

  // OCR2Aggregator allows at most this many oracles, so this many observations.
  uint256 private constant MAX_OBSERVATIONS = 31;

  event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
  event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
  event NewTransmission(
    uint32 indexed aggregatorRoundId,
    int192 answer,
    address transmitter,
    uint32 observationsTimestamp,
    int192[] observations,
    bytes observers,
    int192 juelsPerFeeCoin,
    bytes32 configDigest,
    uint40 epochAndRound
  );

  constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
    owner = msg.sender;
    transmitter = msg.sender;
    decimals = decimals_;
    description = description_;
    // Shaped like an EVM OCR2 config digest: a 2-byte prefix (0x0001) over a hash that binds the
    // chain and this contract, so a report for another feed is refused.
    uint256 digest = uint256(keccak256(abi.encode(block.chainid, address(this), uint32(1))));
    latestConfigDigest = bytes32((digest & ~(uint256(0xffff) << 240)) | (uint256(1) << 240));
    latestConfigBlockNumber = uint32(block.number);
    uint256 round = _store(initialAnswer, block.timestamp);
    emit NewRound(round, msg.sender, block.timestamp);
    emit AnswerUpdated(initialAnswer, round, block.timestamp);
  }

  function version() external pure returns (uint256) {
    return 4;
  }

  function typeAndVersion() external pure returns (string memory) {
    return "FeedAggregator (OCR2-shaped devnet feed) 1.0.0";
  }

  function updateAnswer(int256 answer) external {
    require(msg.sender == owner, "FeedAggregator: not owner");
    uint256 round = _store(answer, block.timestamp);
    emit NewRound(round, msg.sender, block.timestamp);
    emit AnswerUpdated(answer, round, block.timestamp);
  }

  /// OCR2Aggregator's transmit. reportContext[0]: config digest; reportContext[1]: 27 bytes of
  /// padding, 4-byte epoch, 1-byte round; reportContext[2]: extra hash (unused). report:
  /// abi.encode(uint32 observationsTimestamp, bytes32 rawObservers, int192[] observations,
  /// int192 juelsPerFeeCoin); the answer is observations[observations.length / 2].
  function transmit(
    bytes32[3] calldata reportContext,
    bytes calldata report,
    bytes32[] calldata rs,
    bytes32[] calldata ss,
    bytes32 /* rawVs */
  ) external {
    uint40 epochAndRound = uint40(uint256(reportContext[1]));
    require(latestEpochAndRound < epochAndRound, "stale report");
    require(msg.sender == transmitter, "unauthorized transmitter");
    require(latestConfigDigest == reportContext[0], "configDigest mismatch");
    // As the real aggregator: nothing may be appended to the call (it reimburses calldata gas).
    uint256 expected = 4 + 32 * 3 + 32 * 4 + 32 * 3 + report.length + rs.length * 32 +
      ss.length * 32;
    require(msg.data.length == expected, "calldata length mismatch");
    require(rs.length == ss.length, "signatures out of registration");
    latestEpochAndRound = epochAndRound;
    _report(reportContext[0], epochAndRound, report);
  }

  // A decoded report, kept in memory to relieve the stack (as OCR2Aggregator does).
  struct Report {
    uint32 observationsTimestamp;
    bytes observers; // i-th byte: the oracle index of the i-th observation
    int192[] observations;
    int192 juelsPerFeeCoin;
  }

  function _decodeReport(bytes calldata rawReport) private pure returns (Report memory r) {
    bytes32 rawObservers;
    (r.observationsTimestamp, rawObservers, r.observations, r.juelsPerFeeCoin) =
      abi.decode(rawReport, (uint32, bytes32, int192[], int192));
    uint256 count = r.observations.length;
    require(rawReport.length == 32 * 5 + 32 * count, "report length mismatch");
    require(count > 0 && count <= MAX_OBSERVATIONS, "num observations out of bounds");
    for (uint256 i = 1; i < count; i++) {
      require(r.observations[i - 1] <= r.observations[i], "observations not sorted");
    }
    r.observers = new bytes(count);
    for (uint256 i = 0; i < count; i++) {
      r.observers[i] = rawObservers[i];
    }
  }

  function _report(bytes32 configDigest, uint40 epochAndRound, bytes calldata rawReport) private {
    Report memory r = _decodeReport(rawReport);
    int192 median = r.observations[r.observations.length / 2];
    uint256 round = _store(median, r.observationsTimestamp);
    emit NewTransmission(uint32(round), median, msg.sender, r.observationsTimestamp,
      r.observations, r.observers, r.juelsPerFeeCoin, configDigest, epochAndRound);
    // As OCR2Aggregator: the legacy events follow, NewRound started by nobody.
    emit NewRound(round, address(0), r.observationsTimestamp);
    emit AnswerUpdated(median, round, block.timestamp);
  }

  function latestConfigDetails()
    external
    view
    returns (uint32 configCount, uint32 blockNumber, bytes32 configDigest)
  {
    return (1, latestConfigBlockNumber, latestConfigDigest);
  }

  function latestConfigDigestAndEpoch()
    external
    view
    returns (bool scanLogs, bytes32 configDigest, uint32 epoch)
  {
    return (false, latestConfigDigest, uint32(latestEpochAndRound >> 8));
  }

  function latestTransmissionDetails()
    external
    view
    returns (bytes32 configDigest, uint32 epoch, uint8 round, int192 latestAnswer_,
      uint64 latestTimestamp_)
  {
    return (latestConfigDigest, uint32(latestEpochAndRound >> 8), uint8(latestEpochAndRound),
      int192(latestAnswer), uint64(latestTimestamp));
  }

  function getTransmitters() external view returns (address[] memory) {
    address[] memory list = new address[](1);
    list[0] = transmitter;
    return list;
  }

  function getAnswer(uint256 roundId) external view returns (int256) {
    return answers[roundId];
  }

  function getTimestamp(uint256 roundId) external view returns (uint256) {
    return timestamps[roundId];
  }

  function getRoundData(uint80 roundId)
    external
    view
    returns (uint80, int256, uint256, uint256, uint80)
  {
    return (roundId, answers[roundId], startedAts[roundId], timestamps[roundId], roundId);
  }

  function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
    uint80 round = uint80(latestRound);
    return (round, latestAnswer, startedAts[latestRound], latestTimestamp, round);
  }

  // Records a new round; the caller emits its events. Returns the round's id.
  function _store(int256 answer, uint256 startedAt) private returns (uint256) {
    latestRound += 1;
    latestAnswer = answer;
    latestTimestamp = block.timestamp;
    answers[latestRound] = answer;
    timestamps[latestRound] = block.timestamp;
    startedAts[latestRound] = startedAt;
    return latestRound;
  }
}
